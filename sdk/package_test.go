package sdk_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// parsePackage parses the package's non-test files.
func parsePackage(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) < 5 {
		t.Fatalf("parsed only %d files", len(files))
	}
	return fset, files
}

// TestStandardLibraryOnly keeps the SDK free of internal packages and of
// any module outside the standard library (tests may use both).
func TestStandardLibraryOnly(t *testing.T) {
	fset, files := parsePackage(t)
	for _, f := range files {
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			if strings.Contains(first, ".") || strings.Contains(path, "internal") {
				t.Errorf("%s imports %s: the SDK may use only the standard library", fset.Position(imp.Pos()), path)
			}
		}
	}
}

// TestDocComments checks that go doc reads as a guide: a package comment
// with its sections, and a comment starting with its name on every
// exported type, function and method (a const or var group may share
// one comment).
func TestDocComments(t *testing.T) {
	fset, files := parsePackage(t)
	p, err := doc.NewFromFiles(fset, files, "github.com/openflex/openflex/sdk")
	if err != nil {
		t.Fatal(err)
	}
	for _, section := range []string{"# Quick start", "# Webhooks", "# Errors", "# Idempotency and retries", "# Environments"} {
		if !strings.Contains(p.Doc, strings.TrimPrefix(section, "# ")) {
			t.Errorf("package comment lacks the section %q", section)
		}
	}
	check := func(kind, name, comment string) {
		if !strings.HasPrefix(comment, name+" ") {
			t.Errorf("%s %s: doc comment %q does not start with its name", kind, name, firstLine(comment))
		}
	}
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			if v.Doc != "" {
				continue
			}
			for _, spec := range v.Decl.Specs {
				vs := spec.(*ast.ValueSpec)
				for _, n := range vs.Names {
					if n.IsExported() && vs.Doc.Text() == "" && vs.Comment.Text() == "" {
						t.Errorf("%s: exported %s has no doc comment", fset.Position(n.Pos()), n.Name)
					}
				}
			}
		}
	}
	values(p.Consts)
	values(p.Vars)
	for _, f := range p.Funcs {
		check("func", f.Name, f.Doc)
	}
	for _, typ := range p.Types {
		check("type", typ.Name, typ.Doc)
		values(typ.Consts)
		values(typ.Vars)
		for _, f := range typ.Funcs {
			check("func", f.Name, f.Doc)
		}
		for _, m := range typ.Methods {
			check("method", typ.Name+"."+m.Name, strings.Replace(m.Doc, m.Name, typ.Name+"."+m.Name, 1))
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
