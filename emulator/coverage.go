package emulator

import "slices"

// ModelledMethods returns the names of the Bot API methods the emulator
// models, sorted; every other method of the spec answers "not modelled".
// SpecMethods is how many methods the spec has.
func ModelledMethods() (names []string, specMethods int) {
	t := buildMethodTable(handlers())
	for _, mi := range t.list {
		if mi.handler != nil {
			names = append(names, mi.name)
		}
	}
	slices.Sort(names)
	return names, len(t.list)
}
