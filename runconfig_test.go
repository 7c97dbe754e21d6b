package herald

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald/source"
)

func TestEnvironmentConfiguration(t *testing.T) {
	t.Setenv(EnvMode, "webhook")
	t.Setenv(EnvWebhookURL, "https://bot.example.com/hook")
	t.Setenv(EnvWebhookListen, ":8443")
	t.Setenv(EnvWebhookPath, "/hook")
	t.Setenv(EnvWebhookSecret, "s3cret")
	t.Setenv(EnvWebhookMaxConn, "80")
	t.Setenv(EnvAPIURL, "http://127.0.0.1:9")
	// New alone reads nothing from the environment.
	plain, err := New(testToken)
	if err != nil {
		t.Fatal(err)
	}
	if plain.run.mode != Polling || plain.run.webhook.URL != "" || strings.Contains(plain.Client().String(), "127.0.0.1:9") {
		t.Errorf("New read the environment: mode %q, %+v, %s", plain.run.mode, plain.run.webhook, plain.Client())
	}
	b, err := New(testToken, WithPolling(sourcePollerDefaults()), ConfigFromEnv())
	if err != nil {
		t.Fatal(err)
	}
	w := b.run.webhook
	if b.run.mode != Webhook || w.URL != "https://bot.example.com/hook" || w.Listen != ":8443" || w.Path != "/hook" || w.SecretToken != "s3cret" || w.MaxConnections != 80 {
		t.Errorf("env not applied: mode %q, %+v", b.run.mode, w)
	}
	if !strings.Contains(b.Client().String(), "127.0.0.1:9") {
		t.Errorf("HERALD_API_URL not applied: %s", b.Client())
	}

	for env, val := range map[string]string{EnvMode: "carrier-pigeon", EnvWebhookMaxConn: "500"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, val)
			if _, err := New(testToken, ConfigFromEnv()); err == nil || !strings.Contains(err.Error(), env) {
				t.Errorf("%s=%s: err = %v, want one naming the variable", env, val, err)
			}
		})
	}
}

func sourcePollerDefaults() source.PollerConfig { return source.PollerConfig{} }
