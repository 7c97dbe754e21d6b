package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/heraldbot/herald/tg"
	"github.com/spf13/cobra"
)

// newVersionCmd returns "herald version": Herald's module version, the Go
// version it was built with, and the Bot API version it speaks.
func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print Herald's version, the Go version and the Bot API version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "herald %s\n%s\n%s\n", moduleVersion(), runtime.Version(), tg.APIVersion)
			return err
		},
	}
}

// moduleVersion is the version of Herald's module in the build: a tag when
// installed with go install …@version, "(devel)" in a clone.
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	const path = "github.com/heraldbot/herald"
	if bi.Main.Path == path {
		v := bi.Main.Version
		if v == "" {
			v = "(devel)"
		}
		return v
	}
	for _, d := range bi.Deps {
		if d.Path == path {
			return d.Version
		}
	}
	return "(unknown)"
}
