package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// specPath is where the Bot API spec lives next to a checkout of the project.
const specPath = "../../../shared/botapi/api-10.2.json"

// loadSpec returns the spec, or skips the test when the file is absent (a
// user's clone has no ../shared; see docs/ARCHITECTURE.md for where it comes from).
func loadSpec(t *testing.T) *Spec {
	t.Helper()
	if _, err := os.Stat(specPath); err != nil {
		t.Skipf("Bot API spec not found at %s (it is the generator's input, kept outside the repository): %v", specPath, err)
	}
	s, err := LoadSpec(specPath)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGeneratedCodeIsCurrent regenerates package tg and the generated files
// of package herald in memory and compares them with the committed files:
// `go generate ./tg` and `go generate .` on a clean tree give no diff.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	s := loadSpec(t)
	for _, pkg := range []struct {
		name, dir, regenerate string
		generate              func(*Spec) (map[string][]byte, error)
	}{
		{"tg", "../../tg", "go generate ./tg", Generate},
		{"herald", "../..", "go generate .", GenerateRoot},
	} {
		files, err := pkg.generate(s)
		if err != nil {
			t.Fatalf("package %s: %v", pkg.name, err)
		}
		for name, want := range files {
			path := filepath.Join(pkg.dir, name)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%s: %v (run %s)", path, err, pkg.regenerate)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what the generator writes; run %s", path, pkg.regenerate)
			}
		}
		committed, _ := filepath.Glob(filepath.Join(pkg.dir, "*_gen*.go"))
		for _, path := range committed {
			if _, ok := files[filepath.Base(path)]; !ok {
				t.Errorf("%s is not written by the generator any more; delete it", path)
			}
		}
	}
}

// TestEveryTypeAndMethodExists parses package tg and checks that each of the
// spec's types is declared and each method has exactly one Client method.
func TestEveryTypeAndMethodExists(t *testing.T) {
	s := loadSpec(t)
	if len(s.Methods) != 185 || len(s.Types) != 388 {
		t.Logf("spec has %d methods and %d types (Bot API 10.2 has 185 and 388)", len(s.Methods), len(s.Types))
	}
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, "../../tg", func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]string{} // type name → "struct", "interface", …
	clientMethods := map[string]int{}
	for _, f := range pkgs["tg"].Files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					if ts, ok := sp.(*ast.TypeSpec); ok {
						switch ts.Type.(type) {
						case *ast.InterfaceType:
							declared[ts.Name.Name] = "interface"
						case *ast.StructType:
							declared[ts.Name.Name] = "struct"
						default:
							declared[ts.Name.Name] = "other"
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv != nil && len(d.Recv.List) == 1 {
					if star, ok := d.Recv.List[0].Type.(*ast.StarExpr); ok {
						if id, ok := star.X.(*ast.Ident); ok && id.Name == "Client" {
							clientMethods[d.Name.Name]++
						}
					}
				}
			}
		}
	}
	for _, st := range s.Types {
		kind, ok := declared[st.Name]
		switch {
		case !ok:
			t.Errorf("type %s is not declared in package tg", st.Name)
		case len(st.Subtypes) > 0 && kind != "interface":
			t.Errorf("abstract type %s is a %s, want an interface", st.Name, kind)
		case len(st.Subtypes) == 0 && kind != "struct":
			t.Errorf("type %s is a %s, want a struct", st.Name, kind)
		}
	}
	for _, m := range s.Methods {
		if n := clientMethods[methodName(m.Name)]; n != 1 {
			t.Errorf("method %s: %d Client methods named %s, want 1", m.Name, n, methodName(m.Name))
		}
	}
}

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"chat_id": "ChatID", "file_unique_id": "FileUniqueID", "message_ids": "MessageIDs",
		"thumbnail_url": "ThumbnailURL", "is_bot": "IsBot", "mpeg4_url": "Mpeg4URL",
	} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := methodName("sendMessage"); got != "SendMessage" {
		t.Errorf("methodName = %q", got)
	}
}

func TestParseSpecErrors(t *testing.T) {
	for _, in := range []string{`not json`, `{"version":"x","methods":{},"types":{}}`, `{"methods":[1],"types":{}}`} {
		if _, err := ParseSpec([]byte(in)); err == nil {
			t.Errorf("ParseSpec(%s): no error", in)
		}
	}
}

// TestUnionRules checks the discriminator and shape rules on a small spec.
func TestUnionRules(t *testing.T) {
	spec := `{"version":"Bot API 0.1","methods":{"m":{"name":"m","href":"h","returns":["Boolean"]}},"types":{
	 "Pet":{"name":"Pet","href":"h","subtypes":["PetCat","PetDog"]},
	 "PetCat":{"name":"PetCat","href":"h","subtype_of":["Pet"],"fields":[{"name":"kind","types":["String"],"required":true,"description":"always \"cat\""},{"name":"lives","types":["Integer"],"required":true,"description":""}]},
	 "PetDog":{"name":"PetDog","href":"h","subtype_of":["Pet"],"fields":[{"name":"kind","types":["String"],"required":true,"description":"always \"dog\""}]},
	 "Shape":{"name":"Shape","href":"h","subtypes":["Circle","Square"]},
	 "Circle":{"name":"Circle","href":"h","fields":[{"name":"radius","types":["Float"],"required":true,"description":""}]},
	 "Square":{"name":"Square","href":"h","fields":[{"name":"side","types":["Float"],"required":true,"description":""}]},
	 "InlineKeyboardMarkup":{"name":"InlineKeyboardMarkup","href":"h","fields":[{"name":"inline_keyboard","types":["String"],"required":true,"description":""}]},
	 "ReplyKeyboardMarkup":{"name":"ReplyKeyboardMarkup","href":"h","fields":[{"name":"keyboard","types":["String"],"required":true,"description":""}]},
	 "ReplyKeyboardRemove":{"name":"ReplyKeyboardRemove","href":"h","fields":[{"name":"remove_keyboard","types":["Boolean"],"required":true,"description":""}]},
	 "ForceReply":{"name":"ForceReply","href":"h","fields":[{"name":"force_reply","types":["Boolean"],"required":true,"description":""}]}
	}}`
	s, err := ParseSpec([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	m, err := newModel(s)
	if err != nil {
		t.Fatal(err)
	}
	pet := m.unionOf["Pet"]
	if pet.Disc != "kind" || pet.Method != "Kind" || pet.Variants[0].Value != "cat" || m.drop["PetCat"] != "kind" {
		t.Errorf("Pet: disc %q method %q value %q", pet.Disc, pet.Method, pet.Variants[0].Value)
	}
	shape := m.unionOf["Shape"]
	if shape.Disc != "" || shape.Variants[0].Unique != "radius" || shape.Variants[1].Unique != "side" {
		t.Errorf("Shape: disc %q uniques %q %q", shape.Disc, shape.Variants[0].Unique, shape.Variants[1].Unique)
	}
	if _, err := Generate(s); err != nil {
		t.Errorf("Generate: %v", err)
	}
}

// keyboardTypes are the four reply-markup types every spec has.
const keyboardTypes = `
 "InlineKeyboardMarkup":{"name":"InlineKeyboardMarkup","href":"h","fields":[{"name":"inline_keyboard","types":["String"],"required":true,"description":""}]},
 "ReplyKeyboardMarkup":{"name":"ReplyKeyboardMarkup","href":"h","fields":[{"name":"keyboard","types":["String"],"required":true,"description":""}]},
 "ReplyKeyboardRemove":{"name":"ReplyKeyboardRemove","href":"h","fields":[{"name":"remove_keyboard","types":["Boolean"],"required":true,"description":""}]},
 "ForceReply":{"name":"ForceReply","href":"h","fields":[{"name":"force_reply","types":["Boolean"],"required":true,"description":""}]}`

// TestSynthesizedUnion checks the union made for a field that takes one of
// several object types no abstract type covers (a single value and an
// array of them), and the literal the round-trip test builds for a variant
// whose required struct holds a required InputFile.
func TestSynthesizedUnion(t *testing.T) {
	spec := `{"version":"Bot API 0.1","methods":{"post":{"name":"post","href":"h","returns":["Boolean"],"fields":[
	  {"name":"items","types":["Array of Clip","Array of Note"],"required":true,"description":""},
	  {"name":"media","types":["Clip","Photo"],"required":false,"description":""}]}},"types":{
	 "Media":{"name":"Media","href":"h","subtypes":["Clip","Photo"]},
	 "Clip":{"name":"Clip","href":"h","subtype_of":["Media"],"fields":[{"name":"type","types":["String"],"required":true,"description":"must be clip"},{"name":"file","types":["String"],"required":true,"description":"pass attach://<name>"}]},
	 "Photo":{"name":"Photo","href":"h","subtype_of":["Media"],"fields":[{"name":"type","types":["String"],"required":true,"description":"must be photo"},{"name":"file","types":["String"],"required":true,"description":"pass attach://<name>"}]},
	 "Note":{"name":"Note","href":"h","fields":[{"name":"type","types":["String"],"required":true,"description":"must be note"},{"name":"text","types":["String"],"required":true,"description":""}]},
	 "Slot":{"name":"Slot","href":"h#slot","fields":[{"name":"item","types":["Clip","Note"],"required":true,"description":""},{"name":"more","types":["Array of Clip","Array of Note"],"required":false,"description":""}]},
	 "Block":{"name":"Block","href":"h","subtypes":["BlockClip","BlockText"]},
	 "BlockClip":{"name":"BlockClip","href":"h","subtype_of":["Block"],"fields":[{"name":"type","types":["String"],"required":true,"description":"always \"clip\""},{"name":"clip","types":["Clip"],"required":true,"description":""}]},
	 "BlockText":{"name":"BlockText","href":"h","subtype_of":["Block"],"fields":[{"name":"type","types":["String"],"required":true,"description":"always \"text\""},{"name":"text","types":["String"],"required":true,"description":""}]},` + keyboardTypes + `}}`
	s, err := ParseSpec([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	m, err := newModel(s)
	if err != nil {
		t.Fatal(err)
	}
	u := m.unionOf["SlotItem"]
	if u == nil {
		t.Fatalf("no union SlotItem; unions %v", m.unionOf)
	}
	if u.Disc != "type" || len(u.Variants) != 2 || u.Variants[1].Type != "Note" || u.Variants[1].Value != "note" || u.Href != "h#slot" {
		t.Errorf("SlotItem: disc %q variants %d href %q", u.Disc, len(u.Variants), u.Href)
	}
	if m.drop["Note"] != "type" || m.discVal["Note"] != "note" {
		t.Errorf("Note: drop %q value %q, want its type member written on marshal", m.drop["Note"], m.discVal["Note"])
	}
	for _, c := range []struct {
		owner, field, want string
		dims               int
	}{
		{"Slot", "item", "SlotItem", 0},
		{"Slot", "more", "[]SlotItem", 1}, // the same types share one union
		{"post", "items", "[]SlotItem", 1},
		{"post", "media", "Media", 0}, // covered by an abstract type: no new union
	} {
		var f *Field
		if typ := m.types[c.owner]; typ != nil {
			f = typ.Fields[slices.IndexFunc(typ.Fields, func(f *Field) bool { return f.Name == c.field })]
		} else {
			f = s.Methods[0].Fields[slices.IndexFunc(s.Methods[0].Fields, func(f *Field) bool { return f.Name == c.field })]
		}
		ft, err := m.fieldType(c.owner, f)
		if err != nil || ft.Go != c.want || ft.Dims != c.dims || ft.Union == nil {
			t.Errorf("%s.%s: %+v, %v; want %s", c.owner, c.field, ft, err, c.want)
		}
	}
	if len(m.unions) != 4 { // Media, Block, ReplyMarkup, SlotItem
		t.Errorf("%d unions, want 4", len(m.unions))
	}
	if got, want := m.requiredInit("BlockClip"), `Clip: Clip{File: FileID("x")}`; got != want {
		t.Errorf("requiredInit(BlockClip) = %s, want %s", got, want)
	}
	files, err := Generate(s)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if !bytes.Contains(files["unions_gen_test.go"], []byte(`&BlockClip{Clip: Clip{File: FileID("x")}}`)) {
		t.Errorf("the round-trip test does not set BlockClip.Clip.File:\n%s", files["unions_gen_test.go"])
	}
}
