package emulator

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
)

// botAPISpec is where the Bot API spec lives next to a checkout of the
// project (the generator's input, kept outside the repository).
const botAPISpec = "../../shared/botapi/api-10.2.json"

// TestInlineResultKindsMatchSpec checks the emulator's table of inline
// result types against the spec: the same "type" values, and for each
// variant the members the table requires are required there too (a media
// type needs its <media>_url or, cached, its <media>_file_id).
func TestInlineResultKindsMatchSpec(t *testing.T) {
	data, err := os.ReadFile(botAPISpec)
	if err != nil {
		t.Skipf("Bot API spec not found at %s (it is the generator's input, kept outside the repository): %v", botAPISpec, err)
	}
	var spec struct {
		Types map[string]struct {
			Description []string `json:"description"`
			Fields      []struct {
				Name        string `json:"name"`
				Required    bool   `json:"required"`
				Description string `json:"description"`
			} `json:"fields"`
		} `json:"types"`
	}
	if err := json.Unmarshal(data, &spec, json.RejectUnknownMembers(false)); err != nil {
		t.Fatal(err)
	}
	mustBe := regexp.MustCompile(`must be (\w+)`)
	seen := map[string]bool{}
	for _, line := range spec.Types["InlineQueryResult"].Description {
		name, ok := strings.CutPrefix(line, "- ")
		if !ok {
			continue
		}
		variant, ok := spec.Types[name]
		if !ok {
			t.Fatalf("the spec lists %s but does not describe it", name)
		}
		var typ string
		var required []string
		for _, f := range variant.Fields {
			if f.Name == "type" {
				if m := mustBe.FindStringSubmatch(f.Description); m != nil {
					typ = m[1]
				}
			}
			if f.Required {
				required = append(required, f.Name)
			}
		}
		kind, ok := inlineResultKinds[typ]
		if !ok {
			t.Errorf("%s: type %q is not in inlineResultKinds", name, typ)
			continue
		}
		seen[typ] = true
		for _, r := range kind.required {
			if !slices.Contains(required, r) {
				t.Errorf("%s: the emulator requires %s, the spec does not", name, r)
			}
		}
		if kind.media != "" && !slices.Contains(required, kind.media+"_url") && !slices.Contains(required, kind.media+"_file_id") {
			t.Errorf("%s: requires neither %s_url nor %s_file_id", name, kind.media, kind.media)
		}
	}
	for typ := range inlineResultKinds {
		if !seen[typ] {
			t.Errorf("inlineResultKinds has %q, which no InlineQueryResult variant of the spec has", typ)
		}
	}
	if len(seen) == 0 {
		t.Fatal("no InlineQueryResult variants found in the spec")
	}
}
