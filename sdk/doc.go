// Package sdk is the Go client of the OpenFlex API: point-of-sale and
// online consumer financing in Canada. Merchants use it to take credit
// applications, quote financing plans, authorize and capture purchases,
// take returns, reconcile their history and verify webhooks.
//
// It is its own module and uses only the standard library, from Go 1.23:
//
//	go get github.com/openflex/openflex/sdk@latest
//
// # Quick start
//
// Create one Client per key set and share it (WithBaseURL names your
// lender's API host; DefaultBaseURL is a local `openflex serve`): it
// fetches its access token
// (POST /oauth/token), refreshes it a minute before it expires, and is
// safe for concurrent use.
//
//	c, err := sdk.New(os.Getenv("OPENFLEX_CLIENT_ID"), os.Getenv("OPENFLEX_CLIENT_SECRET"),
//		sdk.WithBaseURL("https://api.lender.example"))
//	if err != nil { … }
//	ctx := context.Background()
//
// A customer applies for credit. In TRAINING the middle name picks the
// simulated bureau's answer ("A-RR_L" approves):
//
//	app, err := c.Applications.Create(ctx, &sdk.ApplicationParams{
//		StoreID: storeID,
//		Applicant: sdk.Applicant{
//			FirstName: "Émilie", MiddleName: "A-RR_L", LastName: "Tremblay",
//			DateOfBirth: "1990-04-12", Email: "emilie@example.com", Phone: "416-555-0199",
//			Address: sdk.Address{Line1: "1 King St W", City: "Toronto", Province: "ON", PostalCode: "M5V 2T6"},
//			AnnualIncome: 60_000_00, EmploymentStatus: "employed",
//			HousingStatus: "rent", MonthlyHousingCost: 1_500_00,
//		},
//		Consent: sdk.Consent{CreditCheck: true, TermsAccepted: true},
//	})
//	// A decline is not an error: check app.Status.
//	acct := app.Account.AccountNumber
//
// Quote the plans for a purchase, authorize it on one, capture part of
// it, and return part of a capture:
//
//	q, err := c.Accounts.Quote(ctx, acct, &sdk.QuoteParams{Amount: 1_299_99, StoreID: storeID})
//	opt := q.Options[0] // show the customer opt.MonthlyPayment and opt.Disclosure
//
//	auth, err := c.Authorizations.Create(ctx, &sdk.AuthorizationParams{
//		AccountNumber: acct, Amount: 1_299_99, Currency: "CAD", StoreID: storeID,
//		Channel: sdk.ChannelOnline, Reference: "order-1042",
//		Financing: &sdk.FinancingParams{PlanID: opt.PlanID, TermMonths: opt.TermMonths},
//	})
//	auth, err = c.Authorizations.Capture(ctx, auth.ID, &sdk.CaptureParams{Amount: 999_99})
//	capture := auth.Captures[len(auth.Captures)-1]
//	ret, err := c.Captures.Return(ctx, capture.ID, &sdk.ReturnParams{Amount: 199_99, Reason: "damaged"})
//
// The online authorization above needs no code because the customer opened
// the account by applying through this merchant: that is their consent to
// it. An account number alone never moves money: without the customer's
// consent (a completed checkout, an earlier verification, or that
// application) an online authorization fails with
// sdk.CodeCustomerConsentRequired until it carries a verification the
// customer passed, which also records the consent (a card on file).
// c.Accounts.Get shows whether this merchant holds it; the customer takes
// it back through c.Accounts.RevokeConsent with a verification.
//
// In store, the customer first proves who they are with a code sent to
// their phone every time (c.Accounts.CreateVerification, then
// AuthorizationParams.Verification and Channel sdk.ChannelInStore).
//
// Online, a hosted checkout can do it all: the shopper signs in or
// applies, picks a plan and confirms on OpenFlex's pages.
//
//	chk, err := c.Checkouts.Create(ctx, &sdk.CheckoutParams{
//		Amount: 899_00, Currency: "CAD", StoreID: storeID, Flow: sdk.FlowApplyOrBuy,
//		SuccessURL: "https://shop.example.com/ok", CancelURL: "https://shop.example.com/cart",
//	})
//	// redirect the shopper to *chk.URL; back on the success URL:
//	chk, err = c.Checkouts.Get(ctx, chk.ID) // chk.AuthorizationID is set once completed
//
// Iterate the history; All follows the cursors page after page:
//
//	for txn, err := range c.Transactions.All(ctx, &sdk.TransactionListParams{AccountNumber: acct}) {
//		if err != nil { … }
//		fmt.Println(txn.Type, txn.Amount)
//	}
//
// List returns one page (*List) instead, for your own paging with
// ListParams.StartingAfter.
//
// Money is always int64 cents ("amount": 129999 is $1,299.99), rates are
// exact decimal strings ("29.99"): there are no floats anywhere. Optional
// reply fields are pointers, times are time.Time in UTC.
//
// # Webhooks
//
// Register an endpoint once; its signing secret is shown in that reply
// only:
//
//	ep, err := c.WebhookEndpoints.Create(ctx, &sdk.WebhookEndpointParams{
//		URL: "https://shop.example.com/webhooks/openflex", // must match a Trust URL
//		Events: []string{sdk.EventAuthorizationCaptured, sdk.EventReturnCreated},
//	})
//	store(ep.Secret)
//
// OpenFlex then POSTs events to it, signed in the OpenFlex-Signature
// header. Verify every delivery with the endpoint's secret(s) against the
// body exactly as received:
//
//	body, _ := io.ReadAll(r.Body)
//	ev, err := sdk.VerifyWebhook(body, r.Header.Get(sdk.WebhookSignatureHeader), secrets, 0, time.Now())
//	if err != nil { http.Error(w, "bad signature", http.StatusBadRequest); return }
//	// act on ev once: deliveries are at least once, deduplicate on ev.ID
//
// RollSecret issues a new secret; for 24 hours deliveries are signed with
// both, so deploy the new one meanwhile. SignWebhook makes the header for
// your own tests, and testdata/webhook_vectors.json holds test vectors for
// receivers in any language. EventService lists the same events for pull
// reconciliation and redelivers one on demand.
//
// # Errors
//
// An error reply of the API is an *Error: its Code is stable (the Code…
// constants), its Message readable (in French with WithLanguage("fr-CA")),
// its Errors list every field problem of a 400 at once, and its RequestID
// identifies the request to the lender's support.
//
//	var e *sdk.Error
//	switch {
//	case errors.As(err, &e) && e.Code == sdk.CodeInsufficientCredit:
//		// 402: offer a smaller amount
//	case errors.As(err, &e) && e.Status == http.StatusBadRequest:
//		for _, f := range e.Errors { markField(f.Param, f.Message) }
//	}
//
// A failure to reach the server is a *TransportError wrapping the cause
// (errors.Is(err, context.DeadlineExceeded) works through it). Not finding
// an object is an error (404 resource_missing), never a nil result.
//
// # Idempotency and retries
//
// Every POST carries an Idempotency-Key, made up by the client (128 bits
// from crypto/rand) once per call and sent again on each retry of that
// call, so a retried authorization, capture or return never moves money
// twice: the server answers a retry with the first reply. To make a call
// retry-safe across restarts of your own process, set the params'
// IdempotencyKey field yourself (say, to your order's id and step) and
// send the same body with it again; the same key with another body is a
// 422 idempotency_key_reused.
//
// The client retries, up to WithMaxRetries times (DefaultMaxRetries), with
// exponential backoff and jitter: network errors, 409
// idempotency_key_in_use, 429 rate_limited (waiting at least Retry-After;
// a 429 asking for more than MaxRetryAfter, such as a customer's spent
// verification codes, is returned at once with its RetryAfter) and 5xx.
// It never retries another 4xx: those need a different request.
// A 401 invalid_token or token_expired makes it fetch a new token once and
// try again. WithTimeout bounds each attempt; bound a whole call, retries
// included, with its context. In your own tests, WithRetryWait records the
// waits instead of sleeping, and WithClock moves the token's expiry.
//
// # Environments
//
// A key set belongs to one environment, named by its prefix: ofk_train_…
// for TRAINING, ofk_prod_… for PRODUCTION (Client.Environment). Objects
// made in one do not exist in the other. TRAINING uses a simulated credit
// bureau and offers TestHelpers (decide a pending application, record a
// customer's payment, expire an authorization); in PRODUCTION the real
// bureau is asked, magic names mean nothing and test helpers answer 404.
// PRODUCTION keys are only sent over HTTPS (or to a loopback address).
package sdk
