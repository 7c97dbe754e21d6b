package metrics

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// RegisterProcess registers the Go runtime's collector (go_goroutines,
// go_memstats_*, go_gc_*) and the process collector (process_cpu_seconds_total,
// process_resident_memory_bytes, open file descriptors; on Linux and
// Windows) on reg. Collectors reg already has are left alone, so it may be
// given prometheus.DefaultRegisterer, which registers both itself.
//
// New does not call it: a program with several bots, or its own metrics,
// registers them once for the process. Option does, tolerantly.
func RegisterProcess(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			if _, ok := errors.AsType[prometheus.AlreadyRegisteredError](err); !ok {
				return err
			}
		}
	}
	return nil
}
