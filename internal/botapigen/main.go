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
	spec := flag.String("spec", "../../shared/botapi/api-10.2.json", "path of the Bot API spec (api-10.2.json, in the layout of api.json)")
	out := flag.String("out", ".", "directory of the package to write")
	pkg := flag.String("package", "tg", "package to generate: tg (the Bot API client) or herald (the module root: update kinds)")
	flag.Parse()
	if err := run(*spec, *pkg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "botapigen:", err)
		os.Exit(1)
	}
}

func run(specPath, pkg, outDir string) error {
	generate, ok := generators[pkg]
	if !ok {
		return fmt.Errorf("-package %q: want one of %v", pkg, slices.Sorted(maps.Keys(generators)))
	}
	s, err := LoadSpec(specPath)
	if err != nil {
		return err
	}
	files, err := generate(s)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := os.WriteFile(filepath.Join(outDir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("botapigen: %s: %d methods, %d types → %d files of package %s in %s\n", s.Version, len(s.Methods), len(s.Types), len(files), pkg, outDir)
	return nil
}
