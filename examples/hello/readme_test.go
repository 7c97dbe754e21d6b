package main

import (
	"bytes"
	"os"
	"testing"
)

// TestREADMEShowsThisProgram: the README's "A bot" section shows this
// file, byte for byte, so that what a reader copies is what the tests run.
func TestREADMEShowsThisProgram(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := bytes.Cut(readme, []byte("\n## A bot\n"))
	if !ok {
		t.Fatal(`README.md has no "## A bot" section`)
	}
	_, block, ok := bytes.Cut(section, []byte("\n```go\n"))
	if !ok {
		t.Fatal(`README.md's "A bot" section has no go block`)
	}
	block, _, ok = bytes.Cut(block, []byte("\n```\n"))
	if !ok {
		t.Fatal(`README.md's "A bot" go block is not closed`)
	}
	if got, want := string(block)+"\n", string(src); got != want {
		t.Errorf("README.md's \"A bot\" block differs from examples/hello/main.go; copy the file into the README.\nREADME:\n%s\nmain.go:\n%s", got, want)
	}
}
