package emulator

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCoverageInDocs checks that docs/EMULATOR.md publishes the number of
// modelled methods the code has, and lists each of them.
func TestCoverageInDocs(t *testing.T) {
	names, total := ModelledMethods()
	if len(names) != len(handlers()) {
		var stray []string
		for name := range handlers() {
			if !slices.Contains(names, name) {
				stray = append(stray, name)
			}
		}
		t.Fatalf("handlers for methods the spec does not have: %v", stray)
	}
	doc, err := os.ReadFile("../docs/EMULATOR.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	want := fmt.Sprintf("**%d of the %d methods** of Bot API", len(names), total)
	if !strings.Contains(text, want) {
		got := regexp.MustCompile(`\*\*\d+ of the \d+ methods\*\* of Bot API`).FindString(text)
		t.Errorf("docs/EMULATOR.md says %q; the code models %q (update the number)", got, want)
	}
	start := strings.Index(text, "### Modelled methods")
	end := strings.Index(text, "### What is validated")
	if start < 0 || end < start {
		t.Fatal("docs/EMULATOR.md has no \"### Modelled methods\" section before \"### What is validated\"")
	}
	table := text[start:end]
	for _, name := range names {
		if !strings.Contains(table, "`"+name+"`") {
			t.Errorf("docs/EMULATOR.md's table of modelled methods does not list `%s`", name)
		}
	}
}
