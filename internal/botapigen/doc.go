// Command botapigen generates the Bot API types, unions, decoders and
// methods of package tg (tg/*_gen.go) from the machine-readable spec
// (../shared/botapi/api.json). Run it through `go generate ./tg`; the rules
// it follows (integer widths, optional fields, unions) are in
// docs/ARCHITECTURE.md.
package main
