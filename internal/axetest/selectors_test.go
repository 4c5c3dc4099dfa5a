package axetest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// queryActions are chromedp's actions that take an element selector first.
var queryActions = map[string]bool{
	"WaitVisible": true, "WaitReady": true, "WaitNotVisible": true, "WaitNotPresent": true, "WaitEnabled": true,
	"WaitSelected": true, "Click": true, "DoubleClick": true, "SendKeys": true, "SetValue": true, "Text": true,
	"TextContent": true, "Value": true, "Focus": true, "Blur": true, "OuterHTML": true, "InnerHTML": true,
	"AttributeValue": true, "Attributes": true, "SetAttributeValue": true, "RemoveAttribute": true, "Nodes": true,
	"NodeIDs": true, "Submit": true, "Reset": true, "Clear": true, "ScrollIntoView": true, "Screenshot": true,
	"Dimensions": true, "SetUploadFiles": true, "Query": true, "QueryAfter": true, "ComputedStyle": true,
	"MatchedStyle": true, "JavascriptAttribute": true, "SetJavascriptAttribute": true,
}

// TestBrowserSelectorsAreCSS reads every browser test of the module for a
// chromedp query given a plain string ("main", `form button`, or one built
// with +). chromedp resolves a plain string with DOM.performSearch, which
// matches page text as well as CSS: WaitVisible("main") also finds the
// word in "remaining" or "semaine", a text node that never becomes
// visible, and the test hangs until its deadline. Selectors are
// chromedp.CSS (or chromedp.ID), which use querySelector.
func TestBrowserSelectorsAreCSS(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		local := ""
		for _, im := range f.Imports {
			if im.Path.Value == `"github.com/chromedp/chromedp"` {
				local = "chromedp"
				if im.Name != nil {
					local = im.Name.Name
				}
			}
		}
		if local == "" {
			return nil
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !queryActions[sel.Sel.Name] {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != local {
				return true
			}
			if plainString(call.Args[0]) {
				t.Errorf("%s: chromedp.%s given a plain string: use chromedp.CSS(…) or chromedp.ID(…)", fset.Position(call.Pos()), sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no browser test found: the walk looks in the wrong place")
	}
}

// plainString reports whether e is a string literal, or a concatenation
// with one: an untyped string, which chromedp takes as a text search.
func plainString(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Kind == token.STRING
	case *ast.BinaryExpr:
		return e.Op == token.ADD && (plainString(e.X) || plainString(e.Y))
	case *ast.ParenExpr:
		return plainString(e.X)
	}
	return false
}
