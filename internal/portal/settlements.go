package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/plane"
	"github.com/openflex/openflex/internal/settlement"
	"github.com/openflex/openflex/internal/web"
)

// ChartDays is how many business days the settlements chart shows.
const ChartDays = 30

type settlementsData struct {
	Env         openflex.Environment
	Upcoming    *openflex.Settlement // the next payout (oldest pending)
	UpcomingSum int64                // every pending payout
	Open        []*openflex.Settlement
	Recent      []*openflex.Settlement // the last ChartDays business days, newest first
	Chart       template.HTML
	StoreNames  map[string]string
}

func (p *Portal) hasSettlements() bool {
	return p.cfg.Planes.All(func(pl *plane.Plane) bool { return pl.Settlements != nil })
}

func (p *Portal) settlementsPage(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, ok := openflex.ParseEnvironment(r.PathValue("env"))
	if !ok {
		return openflex.NotFound("page", r.URL.Path)
	}
	svc := p.cfg.Planes[env].Settlements
	ctx := r.Context()
	today := p.Now()
	from := today.AddDate(0, 0, -ChartDays).Format(time.DateOnly)
	sts, _, err := svc.List(ctx, pg.Merchant.ID, settlement.Filter{From: from}, openflex.ListParams{Limit: openflex.MaxListLimit})
	if err != nil {
		return err
	}
	d := settlementsData{Env: env, StoreNames: map[string]string{}}
	for _, st := range sts {
		if st.Status == openflex.SettlementOpen {
			d.Open = append(d.Open, st)
		} else {
			d.Recent = append(d.Recent, st)
		}
		if st.Status == openflex.SettlementPending {
			d.Upcoming = st // sts is newest first: the last one seen is the oldest
			d.UpcomingSum += st.Amount()
		}
	}
	stores, _, err := p.cfg.Control.Stores(ctx, pg.Merchant.ID, openflex.ListParams{Limit: openflex.MaxListLimit})
	if err != nil {
		return err
	}
	for _, s := range stores {
		d.StoreNames[s.ID] = s.Name
	}
	d.Chart = settlementChart(sts, today, pg.Lang, pg.T)
	pg.Title, pg.Nav = "settlements.title", "settlements"
	p.Render(w, pg, http.StatusOK, "settlements", d)
	return nil
}

// closeToday is TRAINING's "close today now": the settlement service cuts
// the merchant's open days now and pays them (the API's test helper), then
// the page says what happened. A second click closes nothing: the sales
// made since go into tomorrow's settlement.
func (p *Portal) closeToday(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	closed, err := p.cfg.Planes[openflex.Training].Settlements.CloseNow(r.Context(), pg.Merchant.ID)
	if err != nil {
		return err
	}
	done := "settlements_closed"
	if len(closed) == 0 {
		done = "settlements_nothing"
	}
	return web.Redirect(w, r, "/portal/settlements/training?done="+done)
}

type settlementData struct {
	Env        openflex.Environment
	Settlement *openflex.Settlement
	Lines      []*openflex.SettlementLine
	More       string
	StoreNames map[string]string
}

func (p *Portal) settlementPage(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, ok := openflex.ParseEnvironment(r.PathValue("env"))
	if !ok {
		return openflex.NotFound("page", r.URL.Path)
	}
	svc := p.cfg.Planes[env].Settlements
	st, err := svc.Get(r.Context(), pg.Merchant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	lines, more, err := svc.Lines(r.Context(), pg.Merchant.ID, st.ID, openflex.ListParams{Limit: openflex.MaxListLimit, StartingAfter: r.URL.Query().Get("after")})
	if err != nil {
		return err
	}
	d := settlementData{Env: env, Settlement: st, Lines: lines, StoreNames: map[string]string{}}
	if more && len(lines) > 0 {
		d.More = lines[len(lines)-1].ID
	}
	stores, _, err := p.cfg.Control.Stores(r.Context(), pg.Merchant.ID, openflex.ListParams{Limit: openflex.MaxListLimit})
	if err != nil {
		return err
	}
	for _, s := range stores {
		d.StoreNames[s.ID] = s.Name
	}
	pg.Title, pg.Nav = "settlements.title", "settlements"
	p.Render(w, pg, http.StatusOK, "settlement", d)
	return nil
}

// settlementCSV downloads every line of a settlement (the API's CSV).
func (p *Portal) settlementCSV(w http.ResponseWriter, r *http.Request, pg *web.Page) error {
	env, ok := openflex.ParseEnvironment(r.PathValue("env"))
	if !ok {
		return openflex.NotFound("page", r.URL.Path)
	}
	st, body, err := p.cfg.Planes[env].Settlements.CSV(r.Context(), pg.Merchant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="settlement-`+st.BusinessDate+`-`+string(env)+`.csv"`)
	_, err = w.Write(body)
	return err
}

// settlementChart draws the last ChartDays business days as an SVG: gross
// captures above the axis, returns and fees below it, the net as a line.
// Server-rendered, no script: it works under the portal's strict CSP and
// without JavaScript. Every figure is also in the table under it.
func settlementChart(sts []*openflex.Settlement, now time.Time, lang string, t func(string, ...any) string) template.HTML {
	const w, h, left, right, top, bottom = 720, 260, 64, 12, 16, 40
	byDate := map[string]*openflex.Settlement{}
	for _, st := range sts {
		byDate[st.BusinessDate] = st
	}
	days := make([]string, ChartDays)
	for i := range days {
		days[i] = now.AddDate(0, 0, i-ChartDays+1).Format(time.DateOnly)
	}
	var hi, lo int64 = 100, 0
	for _, d := range days {
		if st := byDate[d]; st != nil {
			hi = max(hi, st.Gross, st.Net())
			lo = min(lo, -(st.Returns + st.Fees - st.FeeRefunds), st.Net())
		}
	}
	plotH := float64(h - top - bottom)
	y := func(v int64) float64 { return float64(top) + plotH*float64(hi-v)/float64(hi-lo) }
	slot := float64(w-left-right) / ChartDays
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">`, w, h)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title>`, template.HTMLEscapeString(t("settlements.chart")))
	for _, v := range []int64{hi, 0, lo} {
		if v == lo && lo == 0 {
			continue
		}
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, left, w-right, y(v), y(v))
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`, left-6, y(v)+4, template.HTMLEscapeString(openflex.FormatCAD(v, lang)))
	}
	var net []string
	for i, d := range days {
		x := float64(left) + slot*float64(i)
		if i%5 == 0 || i == ChartDays-1 {
			fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+slot/2, h-bottom+16, d[5:])
		}
		st := byDate[d]
		if st == nil || st.Lines == 0 {
			continue
		}
		bw := slot * 0.7
		bx := x + (slot-bw)/2
		label := fmt.Sprintf("%s: %s %s, %s %s, %s %s, %s %s", d, t("settlements.gross"), openflex.FormatCAD(st.Gross, lang),
			t("settlements.returns"), openflex.FormatCAD(st.Returns, lang), t("settlements.fees"), openflex.FormatCAD(st.Fees-st.FeeRefunds, lang),
			t("settlements.net"), openflex.FormatCAD(st.Net(), lang))
		fmt.Fprintf(&b, `<g><title>%s</title>`, template.HTMLEscapeString(label))
		fmt.Fprintf(&b, `<rect class="bar gross" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, bx, y(st.Gross), bw, y(0)-y(st.Gross))
		fmt.Fprintf(&b, `<rect class="bar returns" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, bx, y(0), bw, y(-st.Returns)-y(0))
		if fees := st.Fees - st.FeeRefunds; fees > 0 {
			fmt.Fprintf(&b, `<rect class="bar fees" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, bx, y(-st.Returns), bw, y(-st.Returns-fees)-y(-st.Returns))
		}
		b.WriteString(`</g>`)
		net = append(net, fmt.Sprintf("%.1f,%.1f", x+slot/2, y(st.Net())))
	}
	if len(net) > 0 {
		fmt.Fprintf(&b, `<polyline class="net" points="%s"/>`, strings.Join(net, " "))
		for _, pt := range net {
			xy := strings.Split(pt, ",")
			fmt.Fprintf(&b, `<circle class="net" cx="%s" cy="%s" r="3"/>`, xy[0], xy[1])
		}
	}
	lx := left
	for _, k := range []string{"gross", "returns", "fees", "net"} {
		fmt.Fprintf(&b, `<rect class="key %s" x="%d" y="%d" width="10" height="10"/><text class="axis" x="%d" y="%d">%s</text>`,
			k, lx, h-14, lx+14, h-5, template.HTMLEscapeString(t("settlements."+k)))
		lx += 130
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
