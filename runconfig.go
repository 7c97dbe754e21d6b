package herald

// runConfig says how Run receives updates; filled by options and env vars.
type runConfig struct {
	mode string // "polling" or "webhook"
}

func defaultRunConfig() runConfig { return runConfig{mode: "polling"} }

// fromEnv applies HERALD_* environment variables (see Run).
func (rc *runConfig) fromEnv() error { return nil }
