// Package statementpdf lays out a servicing statement as a PDF: the same
// words and figures as servicing.Render (one source of wording for the
// text, the page and the PDF), on Letter paper in a fixed-width font so
// its columns line up, with the title in bold and a page footer.
package statementpdf

import (
	"fmt"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/openflex/openflex/internal/servicing"
)

// Write writes st as a PDF to w.
func Write(w io.Writer, st *servicing.Statement) error {
	text := servicing.Render(st)
	pdf := fpdf.New("P", "pt", "Letter", "")
	pdf.SetTitle(firstLine(text), true)
	pdf.SetAuthor(st.Lender.Name, true)
	pdf.SetCreator("OpenFlex", false)
	pdf.SetMargins(48, 48, 48)
	pdf.SetAutoPageBreak(true, 56)
	// The core fonts carry Windows-1252, which holds every character the
	// statements use in English and French (accents, no-break space, dashes,
	// the typographic apostrophe ’ of the French text).
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-40)
		pdf.SetFont("Courier", "", 8)
		pdf.CellFormat(0, 10, tr(fmt.Sprintf("%s    Page %d/{nb}", st.Account, pdf.PageNo())), "", 0, "R", false, 0, "")
	})
	pdf.AliasNbPages("")
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	width -= 96
	for i, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		switch {
		case i == 0:
			pdf.SetFont("Helvetica", "B", 14)
			pdf.MultiCell(width, 18, tr(line), "", "L", false)
			pdf.Ln(6)
			continue
		case line == "":
			pdf.Ln(6)
			continue
		case isHeading(line):
			pdf.SetFont("Courier", "B", 8.5)
		default:
			pdf.SetFont("Courier", "", 8.5)
		}
		pdf.MultiCell(width, 11, tr(line), "", "L", false)
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("statement pdf: %w", err)
	}
	return pdf.Output(w)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// isHeading reports whether a rendered line is a section title: flush
// left, no column gap, no colon and short.
func isHeading(line string) bool {
	return !strings.HasPrefix(line, " ") && !strings.Contains(line, "  ") && !strings.Contains(line, ":") &&
		len([]rune(line)) < 50 && !strings.ContainsAny(line[:1], "0123456789")
}
