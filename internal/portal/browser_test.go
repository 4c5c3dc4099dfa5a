package portal_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openflex/openflex/internal/storetest"
	"github.com/openflex/openflex/internal/web/webtest"
)

// newChromium starts a headless Chromium for the test. Without Chromium the
// test is skipped on a workstation but fails under CI, where a missing
// browser must not pass silently.
// logIn signs email in on the portal at base in tab, with webtest's
// password, and waits for the portal's navigation.
func logIn(t *testing.T, tab context.Context, base, email string) {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/portal/login"),
		chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("password"), webtest.Password),
		chromedp.Click(`form[action="/portal/login"] button[type="submit"]`), chromedp.WaitVisible(`nav a[aria-current="page"]`)); err != nil {
		t.Fatalf("log in as %s: %v", email, err)
	}
}

func newChromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("chromium is not installed; the browser test runs where it is")
		}
		t.Fatal("chromium is not installed, and CI must run the browser test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute) // the axe audit visits many pages
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	return tab
}

// TestBrowser drives the portal in headless Chromium: sign-up, the copy
// button (shown by the external script, so the CSP lets it run), log-in,
// a new key set whose secret appears once.
func TestBrowser(t *testing.T) {
	tab := newChromium(t)
	h := webtest.New(t, storetest.Engines(t)[0])
	base := h.Srv.URL
	const email = "dev@maple.example"

	err := chromedp.Do(tab,
		chromedp.Navigate(base+"/portal/signup"),
		chromedp.SendKeys(chromedp.ID("company"), "Maple Furniture"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), webtest.Password),
		chromedp.SendKeys(chromedp.ID("confirm"), webtest.Password),
		chromedp.Click(`form[action="/portal/signup"] button[type="submit"]`),
		// The form itself links to the log-in page: wait for it to go
		// first, or a loaded machine reads the mailbox before the POST.
		chromedp.WaitNotPresent(`#company`),
		chromedp.WaitVisible(`main a[href="/portal/login"]`),
	)
	if err != nil {
		t.Fatalf("sign-up: %v", err)
	}
	// The TRAINING secret comes with the confirmed address.
	if err := chromedp.Do(tab, chromedp.Navigate(base+h.Mail.Link(t, email, "/portal/verify")), chromedp.WaitVisible(chromedp.ID("secret"))); err != nil {
		t.Fatalf("confirm the address: %v", err)
	}
	secret := mustText(t, tab, "secret")
	if !webtest.TrainSecretRE.MatchString(secret) {
		t.Fatalf("sign-up page secret = %q", secret)
	}
	copyButton := `button[data-copy="secret"]`
	if err := chromedp.Do(tab, chromedp.WaitVisible(copyButton), chromedp.Click(copyButton)); err != nil {
		t.Fatalf("copy button: %v", err)
	}
	// The clipboard may be refused to a headless browser; then the script
	// selects the secret for a manual copy. Either shows the script ran.
	var copied bool
	for range 20 {
		got, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('button[data-copy="secret"]').textContent + "|" + window.getSelection().toString()`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(got, "Copied|") || strings.Contains(got, secret) {
			copied = true
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !copied {
		t.Error("clicking copy neither copied nor selected the secret")
	}

	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/portal/login"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), webtest.Password),
		chromedp.Click(`form[action="/portal/login"] button[type="submit"]`),
		chromedp.WaitVisible(`a[aria-current="page"][href="/portal/"]`),
		chromedp.Navigate(base+"/portal/keys"),
		chromedp.SendKeys(chromedp.ID("name"), "POS lane 3"),
		chromedp.Click(`form[action="/portal/keys"] button[type="submit"]`),
		chromedp.WaitVisible(chromedp.ID("secret")),
		chromedp.WaitVisible(copyButton),
	); err != nil {
		t.Fatalf("log in and create a key set: %v", err)
	}
	secret2 := mustText(t, tab, "secret")
	if !webtest.TrainSecretRE.MatchString(secret2) || secret2 == secret {
		t.Fatalf("new key set secret = %q", secret2)
	}
	// Leave the page: the key set's own page never shows the secret again.
	if err := chromedp.Do(tab,
		chromedp.Click(`p.actions a.button`),
		chromedp.WaitVisible(chromedp.ID("client-id")),
	); err != nil {
		t.Fatal(err)
	}
	html, err := chromedp.Run(tab, chromedp.OuterHTML("html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, secret2) || strings.Contains(html, `id="secret"`) {
		t.Fatal("the key set page shows the secret a second time")
	}
}

func mustText(t *testing.T, tab context.Context, id string) string {
	t.Helper()
	s, err := chromedp.Run(tab, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		t.Fatalf("text of #%s: %v", id, err)
	}
	return strings.TrimSpace(s)
}
