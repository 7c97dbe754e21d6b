package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

func main() {
	spec := flag.String("spec", "../../shared/botapi/api.json", "path of the Bot API spec (api.json)")
	out := flag.String("out", ".", "directory of package tg")
	flag.Parse()
	if err := run(*spec, *out); err != nil {
		fmt.Fprintln(os.Stderr, "botapigen:", err)
		os.Exit(1)
	}
}

func run(specPath, outDir string) error {
	s, err := LoadSpec(specPath)
	if err != nil {
		return err
	}
	files, err := Generate(s)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := os.WriteFile(filepath.Join(outDir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("botapigen: %s: %d methods, %d types → %d files in %s\n", s.Version, len(s.Methods), len(s.Types), len(files), outDir)
	return nil
}
