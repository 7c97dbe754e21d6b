// Command botapigen generates, from the machine-readable Bot API spec
// (../shared/botapi/api-10.2.json, in the layout of api.json), the code
// that the spec already describes:
//
//   - package tg (-package tg, the default; `go generate ./tg`): the types,
//     unions, decoders, parameter structs and methods, the method table
//     (tg.Methods), and where each call goes (tg.TargetOf,
//     tg.MessageMethods);
//   - package herald (-package herald; `go generate .` in the module root):
//     the update kinds, their names, KindOf, the Router method of each
//     kind and what Context.Message, Chat and Sender read.
//
// Every file it writes is named *_gen.go. The rules it follows (integer
// widths, optional fields, unions, which methods post messages) are in
// docs/ARCHITECTURE.md.
package main
