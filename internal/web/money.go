package web

import "github.com/openflex/openflex"

// formatCAD is the templates' "cad": cents as Canadians read them.
func formatCAD(lang string) func(int64) string {
	return func(cents int64) string { return openflex.FormatCAD(cents, lang) }
}
