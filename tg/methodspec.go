package tg

// MethodSpec describes one Bot API method as the spec states it: its name,
// its parameters and its return types. The emulator validates requests with it.
type MethodSpec struct {
	Name    string
	Params  []ParamSpec
	Returns []string
}

// ParamSpec describes one parameter of a Bot API method. Types uses the spec's
// names ("Integer", "String", "Array of MessageEntity", …); several entries mean
// any of them is accepted.
type ParamSpec struct {
	Name     string
	Types    []string
	Required bool
}

// Methods returns every Bot API method this package was generated for, in the
// order of the spec. The slice is new on every call.
func Methods() []MethodSpec { return methodSpecs() }
