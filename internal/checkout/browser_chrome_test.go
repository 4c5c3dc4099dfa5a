package checkout_test

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// The browser tests drive a real headless Chromium (Debian's chromium
// package; scripts/test installs it) with chromedp. Without one they skip,
// except under CI, where they fail.
//
//	OPENFLEX_CHROMIUM=/path/to/chrome   the browser to use (default: chromium on PATH)
//	OPENFLEX_SCREENSHOT_DIR=dir         keep the screenshots of every step there (default: the test's temp dir)
//	OPENFLEX_UPDATE_SCREENSHOTS=1       also rewrite the guide's screenshots in docs/images

// browserTimeout guards each flow against a hang; no assertion is timed.
const browserTimeout = 90 * time.Second

// Viewports of the screenshots: a desktop and a phone.
var (
	desktop = viewport{1280, 900, false}
	phone   = viewport{390, 844, true}
)

type viewport struct {
	w, h   int64
	mobile bool
}

func chromiumPath() string {
	if p := os.Getenv("OPENFLEX_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// noBrowser skips the test, or fails it under CI.
func noBrowser(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("browser tests: %s (CI must run them: scripts/test installs Debian's chromium)", msg)
	}
	t.Skipf("browser tests skipped: %s; install Chromium (apt-get install chromium) or set OPENFLEX_CHROMIUM, or run scripts/test", msg)
}

// startBrowser starts one headless Chromium for the test, with a fresh
// profile. The flags keep it from calling home (on these machines a
// blocked network call stalls it) and let it run as root.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		noBrowser(t, "no chromium on PATH")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // root cannot use Chromium's sandbox
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("lang", "en-CA"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(desktop.w), int(desktop.h)),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			noBrowser(t, "%s does not start: %v", path, err)
		}
	case <-time.After(60 * time.Second):
		noBrowser(t, "%s did not start within a minute", path)
	}
	return ctx
}

// tab is one browser tab running one flow.
type tab struct {
	t        *testing.T
	ctx      context.Context // with the hang guard
	dir      string
	secret   string // must never reach the browser
	n        int
	mu       sync.Mutex
	console  []string // every console message, logged at the end
	problems []string // console exceptions and CSP violations
	// expectRefusals: the test provokes CSP and CORS refusals.
	expectRefusals bool
}

// newTab opens a tab of size vp. Its screenshots go to a folder of root
// named after the test; the client secret must be in none of its pages.
func newTab(t *testing.T, browser context.Context, root string, vp viewport, secret string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab, with no timeout
		t.Fatal(err)
	}
	gctx, gcancel := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(gcancel)
	dir := filepath.Join(root, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tb := &tab{t: t, ctx: gctx, dir: dir, secret: secret}
	tb.watchConsole(gctx, "page")
	opts := []chromedp.EmulateViewportOption{}
	if vp.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	tb.do(chromedp.EmulateViewport(vp.w, vp.h, opts...))
	t.Cleanup(func() {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, m := range tb.console {
			t.Logf("console: %s", m)
		}
		if !tb.expectRefusals {
			for _, p := range tb.problems {
				t.Errorf("browser console: %s", p)
			}
		}
		t.Logf("screenshots of %s in %s", t.Name(), dir)
	})
	return tb
}

// watchConsole records uncaught exceptions and refused loads (CSP
// violations): a page that works must have none.
func (tb *tab) watchConsole(ctx context.Context, where string) {
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			text := m.String()
			if m.URL != "" {
				text += " (" + m.URL + ")"
			}
			tb.mu.Lock()
			tb.console = append(tb.console, where+": "+text)
			if m.IsException() || strings.Contains(text, "Refused to") || strings.Contains(text, "Content Security Policy") {
				tb.problems = append(tb.problems, where+": "+text)
			}
			tb.mu.Unlock()
		}
	}()
}

// sawConsole reports whether a console message of the tab contains s.
func (tb *tab) sawConsole(s string) bool {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, m := range tb.console {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// do runs steps in the tab.
func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return runIn(tb.t, tb.ctx, chromedp.Text(chromedp.CSS(sel)))
}

func runIn[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}

// page returns the location and the HTML of the tab's document, and checks
// the secret is not in it.
func (tb *tab) page() (location, html string) {
	tb.t.Helper()
	location = runIn(tb.t, tb.ctx, chromedp.Location())
	html = runIn(tb.t, tb.ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if strings.Contains(html, tb.secret) {
		tb.t.Fatalf("the client secret is in the page %s", location)
	}
	return location, html
}

// shot saves a screenshot of the whole tab (frames included) as
// NN-name.png, checks the page for the secret, and returns the file.
func (tb *tab) shot(name string) string {
	tb.t.Helper()
	tb.page()
	// The whole page; but with the modal open, what the shopper sees (the
	// overlay is fixed to the viewport).
	shoot := chromedp.FullScreenshot(100)
	if runIn(tb.t, tb.ctx, chromedp.Evaluate[bool](`document.querySelector("[data-openflex-overlay]") !== null`)) {
		shoot = chromedp.CaptureScreenshot()
	}
	buf := runIn(tb.t, tb.ctx, shoot)
	tb.n++
	file := filepath.Join(tb.dir, fmt.Sprintf("%02d-%s.png", tb.n, name))
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	return file
}

// frame attaches to the checkout the drop-in opened in its modal. The
// frame is on the OpenFlex origin, another site than the shop, so Chromium
// runs it as a target of its own.
func (tb *tab) frame() *frame {
	tb.t.Helper()
	tb.do(chromedp.WaitVisible(chromedp.CSS("iframe[data-openflex-frame]")))
	src := runIn(tb.t, tb.ctx, chromedp.Evaluate[string](`document.querySelector("iframe[data-openflex-frame]").src`))
	for {
		infos, err := chromedp.Targets(tb.ctx)
		if err != nil {
			tb.t.Fatalf("browser targets: %v", err)
		}
		for _, in := range infos {
			if in.Type == "iframe" && in.URL == src {
				return tb.attach(in)
			}
		}
		select {
		case <-tb.ctx.Done():
			tb.t.Fatalf("no frame for %s: %v", src, tb.ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (tb *tab) attach(in *target.Info) *frame {
	ctx, cancel := chromedp.NewContext(tb.ctx, chromedp.WithTargetID(in.TargetID), chromedp.WithDetachOnCancel())
	tb.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		tb.t.Fatalf("attach to the checkout frame: %v", err)
	}
	tb.watchConsole(ctx, "checkout frame")
	return &frame{t: tb.t, ctx: ctx, url: in.URL}
}

// frame is the checkout inside the modal.
type frame struct {
	t   *testing.T
	ctx context.Context
	url string
}

func (f *frame) do(steps ...chromedp.Action[chromedp.Void]) {
	f.t.Helper()
	if err := chromedp.Do(f.ctx, steps...); err != nil {
		f.t.Fatalf("checkout frame: %v", err)
	}
}

func (f *frame) text(sel string) string {
	f.t.Helper()
	return runIn(f.t, f.ctx, chromedp.Text(chromedp.CSS(sel)))
}

// The hosted checkout, as a place to run steps: the tab itself (redirect
// mode) or the modal's frame.
type surface interface {
	do(steps ...chromedp.Action[chromedp.Void])
	text(sel string) string
}

// savePNG writes a screenshot for the guide: re-encoded with the best
// compression, and halved (2×2 averages) while it is over maxBytes.
func savePNG(t *testing.T, src, dst string, maxBytes int) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	for {
		var b strings.Builder
		if err := enc.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		if b.Len() <= maxBytes || img.Bounds().Dx() < 200 {
			if err := os.WriteFile(dst, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%dx%d, %d KB)", dst, img.Bounds().Dx(), img.Bounds().Dy(), b.Len()/1024)
			return
		}
		img = halve(img)
	}
}

func halve(img image.Image) image.Image {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
	for y := 0; y < b.Dy()/2; y++ {
		for x := 0; x < b.Dx()/2; x++ {
			var r, g, bl, a uint32
			for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				cr, cg, cb, ca := img.At(b.Min.X+2*x+d[0], b.Min.Y+2*y+d[1]).RGBA()
				r, g, bl, a = r+cr, g+cg, bl+cb, a+ca
			}
			i := out.PixOffset(x, y)
			out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = uint8(r/4>>8), uint8(g/4>>8), uint8(bl/4>>8), uint8(a/4>>8)
		}
	}
	return out
}
