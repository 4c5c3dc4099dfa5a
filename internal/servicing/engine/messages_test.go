package engine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/customer"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/servicing/engine"
	"github.com/openflex/openflex/internal/storetest"
)

// tell wires the world's customer messages: kept, not sent, in TRAINING;
// sent through sender in PRODUCTION.
func (w *world) tell(env openflex.Environment, sender customer.Sender) {
	w.svc.Messages = &customer.Messenger{Env: env, Store: w.db, Sender: sender, Now: w.clock}
	w.svc.AccountPages = "https://lender.example/account/"
}

// customerAccount opens an Ontario account in lang whose customer gave an
// email address, consented to mer_test.
func (w *world) customerAccount(lang string, limit int64) string {
	w.t.Helper()
	return w.open(limit, lang, "client@example.com")
}

// messages lists an account's messages, oldest first.
func (w *world) messages(number string) []*customer.Message {
	w.t.Helper()
	list, err := w.db.AccountMessages(w.ctx, number, 100)
	if err != nil {
		w.t.Fatal(err)
	}
	slices.Reverse(list)
	return list
}

// queueMessage puts a pending message straight into the outbox, as the
// engine's transactions do (bulk by its kind).
func (w *world) queueMessage(number, kind, ref, subject, body string, created time.Time) {
	w.t.Helper()
	if err := w.db.QueueMessage(w.ctx, &engine.QueuedMessage{ID: openflex.NewID("msg"), AccountNumber: number, Kind: kind, Reference: ref,
		Subject: subject, Body: body, Status: engine.OutboxPending, Bulk: engine.BulkMessage(kind), Created: created}); err != nil {
		w.t.Fatal(err)
	}
}

// kinds counts messages by kind.
func kinds(list []*customer.Message) map[string]int {
	out := map[string]int{}
	for _, m := range list {
		out[m.Kind]++
	}
	return out
}

// TestCustomerMessagesThroughAMonth walks a TRAINING account on a test
// clock through its first statements, in English and in French: the
// statement is announced, the minimum is reminded 5 days before its due
// date unless it is paid already, each payment is acknowledged, and a
// missed minimum tells the customer their purchases are paused. Each
// message is dated by the clock, in the account's language, and running
// the days again or advancing the clock again never repeats one.
func TestCustomerMessagesThroughAMonth(t *testing.T) {
	type want struct {
		kind  string
		texts []string // in the subject or body
	}
	cases := []struct {
		name, lang string
		// payEarly pays the minimum before the reminder day: no reminder.
		payEarly bool
		// firstMonth is what the first month sends, in order.
		firstMonth []want
		// pastDue is the message of the minimum missed in the second month.
		pastDue want
		// counts is every kind sent through the walk.
		counts map[string]int
	}{
		{name: "English, paid after the reminder", lang: "en",
			firstMonth: []want{
				{customer.MessageStatementReady, []string{"Your statement is ready", "New balance: $500.00", "Minimum payment: $25.00, due by February 22, 2027", "•••• ", "https://lender.example/account/statements"}},
				{customer.MessagePaymentDue, []string{"Payment due in 5 days", "$25.00", "due on February 22, 2027"}},
				{customer.MessagePaymentReceived, []string{"Payment received", "$25.00 on February 17, 2027", "new balance is $475.00"}},
			},
			pastDue: want{customer.MessageStatusChanged, []string{"Purchases paused", "past due", "resume by themselves"}},
			counts:  map[string]int{customer.MessageStatementReady: 3, customer.MessagePaymentDue: 2, customer.MessagePaymentReceived: 1, customer.MessageStatusChanged: 1}},
		{name: "French, paid before the reminder", lang: "fr", payEarly: true,
			firstMonth: []want{
				{customer.MessageStatementReady, []string{"Votre relevé est prêt", "Nouveau solde\u00a0: 500,00\u00a0$", "Paiement minimum\u00a0: 25,00\u00a0$, à payer au plus tard le 22 février 2027", "pages de compte"}},
				{customer.MessagePaymentReceived, []string{"Paiement reçu", "25,00\u00a0$ le 10 février 2027", "nouveau solde est de 475,00\u00a0$"}},
			},
			pastDue: want{customer.MessageStatusChanged, []string{"Achats suspendus", "en souffrance", "d’eux-mêmes"}},
			counts:  map[string]int{customer.MessageStatementReady: 3, customer.MessagePaymentDue: 1, customer.MessagePaymentReceived: 1, customer.MessageStatusChanged: 1}},
	}
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := newWorld(t, e, openflex.Training, toronto(1, 1))
				w.tell(openflex.Training, nil)
				zone, _ := time.LoadLocation("America/Toronto")
				at := func(m time.Month, d, hour int) time.Time { return time.Date(2027, m, d, hour, 0, 0, 0, zone) }
				clock, err := w.svc.CreateTestClock(w.ctx, "mer_test", "month", at(1, 5, 12))
				if err != nil {
					t.Fatal(err)
				}
				n := w.customerAccount(tc.lang, 1000_00)
				if _, err := w.svc.AttachTestClock(w.ctx, "mer_test", clock.ID, n); err != nil {
					t.Fatal(err)
				}
				advance := func(to time.Time) {
					t.Helper()
					if _, err := w.svc.AdvanceTestClock(w.ctx, "mer_test", clock.ID, to); err != nil {
						t.Fatalf("advance to %s: %v", to, err)
					}
				}
				pay := func() {
					t.Helper()
					w.pay(n, 25_00, engine.ChannelTestHelper, "")
				}
				w.purchase(n, 500_00)
				if got := w.messages(n); len(got) != 0 {
					t.Fatalf("messages before the first statement: %d, want none", len(got))
				}
				// The January statement: due Monday February 22 (the 21st is a
				// Sunday); reminded on the 17th.
				advance(at(2, 1, 12))
				if tc.payEarly {
					advance(at(2, 10, 12))
					pay()
				}
				advance(at(2, 16, 12))
				if got := kinds(w.messages(n))[customer.MessagePaymentDue]; got != 0 {
					t.Fatalf("payment_due messages on February 16: %d, want none before the 17th", got)
				}
				advance(at(2, 17, 12))
				if !tc.payEarly {
					pay()
				}
				got := w.messages(n)
				if len(got) != len(tc.firstMonth) {
					t.Fatalf("first month: %d messages, want %d:\n%s", len(got), len(tc.firstMonth), dump(got))
				}
				for i, wt := range tc.firstMonth {
					m := got[i]
					if m.Kind != wt.kind || m.Status != customer.MessageTraining || m.Channel != "email" || m.Recipient == "client@example.com" {
						t.Errorf("message %d = %s %s by %s to %s, want %s kept for TRAINING, by email, to a masked address", i, m.Kind, m.Status, m.Channel, m.Recipient, wt.kind)
					}
					for _, s := range wt.texts {
						if !strings.Contains(m.Subject+"\n"+m.Body, s) {
							t.Errorf("%s message lacks %q:\n%s\n%s", m.Kind, s, m.Subject, m.Body)
						}
					}
					if strings.Contains(m.Body, n) {
						t.Errorf("%s message shows the whole account number:\n%s", m.Kind, m.Body)
					}
				}
				// Dated by the test clock: the statement as its day ended, the
				// payment when it was made.
				if want := at(2, 1, 0); !got[0].Created.Equal(want) {
					t.Errorf("statement_ready dated %s, want %s (the end of January 31 in Toronto)", got[0].Created, want)
				}
				if last := got[len(got)-1]; tc.payEarly && !last.Created.Equal(at(2, 10, 12)) || !tc.payEarly && !last.Created.Equal(at(2, 17, 12)) {
					t.Errorf("payment_received dated %s, want the clock's time of the payment", last.Created)
				}
				// The February statement's minimum goes unpaid past its due date
				// (Monday March 22): purchases are paused, and the customer told.
				advance(at(4, 5, 12))
				all := w.messages(n)
				found := false
				for _, m := range all {
					if m.Kind != tc.pastDue.kind {
						continue
					}
					found = true
					for _, s := range tc.pastDue.texts {
						if !strings.Contains(m.Subject+"\n"+m.Body, s) {
							t.Errorf("%s message lacks %q:\n%s\n%s", m.Kind, s, m.Subject, m.Body)
						}
					}
				}
				if !found {
					t.Errorf("no %s message after the minimum was missed:\n%s", tc.pastDue.kind, dump(all))
				}
				if got := kinds(all); !mapsEqual(got, tc.counts) {
					t.Errorf("messages through April 5 = %v, want %v:\n%s", got, tc.counts, dump(all))
				}
				// Running the days again, delivering again and advancing again
				// within the day send nothing more.
				if _, err := w.svc.ServiceThrough(w.ctx, n, at(4, 5, 12)); err != nil {
					t.Fatal(err)
				}
				if _, err := w.svc.RunDue(w.ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := w.svc.DeliverMessages(w.ctx); err != nil {
					t.Fatal(err)
				}
				advance(at(4, 5, 18))
				if again := w.messages(n); len(again) != len(all) {
					t.Errorf("after running again: %d messages, want still %d:\n%s", len(again), len(all), dump(again))
				}
				w.verify()
			})
		}
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func dump(list []*customer.Message) string {
	var b strings.Builder
	for _, m := range list {
		fmt.Fprintf(&b, "  %s %s [%s] %s — %s\n", m.Created.Format(time.RFC3339), m.Kind, m.Status, m.Subject, m.Body)
	}
	return b.String()
}

// flakySender fails its first failures sends, then delivers.
type flakySender struct {
	mu       sync.Mutex
	failures int
	sent     []string
}

func (f *flakySender) Send(_ context.Context, channel, to, subject, body string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures > 0 {
		f.failures--
		return errors.New("smtp: 421 try again later")
	}
	f.sent = append(f.sent, subject)
	return nil
}

// TestCustomerMessagesDeliveredOnceAfterCommit: in PRODUCTION a message
// is sent only once the change it reports has committed (a payment rolled
// back sends nothing; one inside a caller's transaction waits for the
// commit and the daily job), a failed delivery is kept as failed and sent
// by the next run under the same message, and a returned PAD debit is told
// once, by package pad's notice, where another reversed payment says so.
func TestCustomerMessagesDeliveredOnceAfterCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		sender := &flakySender{}
		w.tell(openflex.Production, sender)
		n := w.customerAccount("en", 1000_00)
		w.purchase(n, 500_00)
		pay := func(ctx context.Context, amount int64, ref string) (*engine.PaymentResult, error) {
			return w.svc.Pay(ctx, engine.PaymentRequest{AccountNumber: n, Amount: amount, Channel: engine.ChannelCheque, Reference: ref})
		}
		steps := []struct {
			name string
			do   func(t *testing.T)
			// want is the account's messages after the step: kind and status.
			want []string
			sent int
		}{
			{"a payment rolled back with its caller's transaction sends nothing", func(t *testing.T) {
				err := w.db.Write(w.ctx, func(ctx context.Context) error {
					if _, err := pay(ctx, 10_00, "chq 1"); err != nil {
						return err
					}
					return errors.New("the caller gives up")
				})
				if err == nil {
					t.Fatal("the caller's transaction committed")
				}
			}, nil, 0},
			{"a payment inside a caller's transaction waits for the daily job", func(t *testing.T) {
				if err := w.db.Write(w.ctx, func(ctx context.Context) error {
					_, err := pay(ctx, 10_00, "chq 2")
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}, nil, 0},
			{"the daily job delivers it", func(t *testing.T) {
				if _, err := w.svc.RunDue(w.ctx); err != nil {
					t.Fatal(err)
				}
			}, []string{"payment_received sent"}, 1},
			{"a failed delivery is kept as failed", func(t *testing.T) {
				sender.failures = 1
				if _, err := pay(w.ctx, 20_00, "chq 3"); err != nil {
					t.Fatal(err)
				}
			}, []string{"payment_received sent", "payment_received failed"}, 1},
			{"the next run sends it, as the same message", func(t *testing.T) {
				w.set(w.clock().Add(2 * time.Minute))
				if _, err := w.svc.RunDue(w.ctx); err != nil {
					t.Fatal(err)
				}
			}, []string{"payment_received sent", "payment_received sent"}, 2},
			{"a run with nothing new sends nothing", func(t *testing.T) {
				w.set(w.clock().Add(10 * time.Minute))
				if _, err := w.svc.RunDue(w.ctx); err != nil {
					t.Fatal(err)
				}
			}, []string{"payment_received sent", "payment_received sent"}, 2},
			{"a returned debit is told by pad's notice, not here", func(t *testing.T) {
				pads := engine.PADPayments{S: w.svc}
				id, err := pads.PayDebit(w.ctx, n, 30_00, "dbt_1")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := pads.ReturnDebit(w.ctx, id, "returned by the bank"); err != nil {
					t.Fatal(err)
				}
			}, []string{"payment_received sent", "payment_received sent", "payment_received sent"}, 3},
			{"a returned cheque says so, with its fee", func(t *testing.T) {
				paid, err := w.db.PaymentByReference(w.ctx, n, engine.ChannelCheque, "chq 3")
				if err != nil || paid == nil {
					t.Fatalf("cheque 3: %v, %v", paid, err)
				}
				if _, err := w.svc.Reverse(w.ctx, paid.ID, true, "NSF"); err != nil {
					t.Fatal(err)
				}
			}, []string{"payment_received sent", "payment_received sent", "payment_received sent", "payment_reversed sent"}, 4},
			{"staff freeze the account: the customer is told, with what to do", func(t *testing.T) {
				if _, err := w.svc.StaffAction(w.ctx, n, servicing.ActionFreeze, "ops", "suspected fraud"); err != nil {
					t.Fatal(err)
				}
			}, []string{"payment_received sent", "payment_received sent", "payment_received sent", "payment_reversed sent", "status_changed sent"}, 5},
			{"and unfreeze it", func(t *testing.T) {
				if _, err := w.svc.StaffAction(w.ctx, n, servicing.ActionUnfreeze, "ops", "cleared"); err != nil {
					t.Fatal(err)
				}
			}, []string{"payment_received sent", "payment_received sent", "payment_received sent", "payment_reversed sent", "status_changed sent", "status_changed sent"}, 6},
		}
		for _, st := range steps {
			st.do(t)
			list := w.messages(n)
			var got []string
			for _, m := range list {
				got = append(got, m.Kind+" "+m.Status)
			}
			if !slices.Equal(got, st.want) {
				t.Fatalf("%s: messages %q, want %q:\n%s", st.name, got, st.want, dump(list))
			}
			if len(sender.sent) != st.sent {
				t.Fatalf("%s: %d sent, want %d", st.name, len(sender.sent), st.sent)
			}
		}
		last := w.messages(n)
		if got := sender.sent[4:]; !slices.Equal(got, []string{"Your account is frozen", "Your account is unfrozen"}) {
			t.Errorf("status messages = %q, want frozen then unfrozen", got)
		}
		if b := last[3].Body; !strings.Contains(b, "$20.00") || !strings.Contains(b, "your bank returned it unpaid") || !strings.Contains(b, "fee of $25.00") {
			t.Errorf("payment_reversed body:\n%s", b)
		}
		w.verify()
	})
}

// TestCustomerMessagesOnceAcrossNodes: four nodes running the daily job at
// once over the same accounts send each statement's message once.
func TestCustomerMessagesOnceAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		sender := &flakySender{}
		w.tell(openflex.Production, sender)
		var numbers []string
		for range 6 {
			n := w.customerAccount("en", 1000_00)
			w.purchase(n, 300_00)
			numbers = append(numbers, n)
		}
		w.set(toronto(4, 2)) // March 31 ended: one statement each
		w.runNodes(4)
		for _, n := range numbers {
			if got := kinds(w.messages(n)); got[customer.MessageStatementReady] != 1 || len(got) != 1 {
				t.Errorf("account %s messages = %v, want one statement_ready", n, got)
			}
		}
		if len(sender.sent) != len(numbers) {
			t.Errorf("%d messages sent, want %d (one per account)", len(sender.sent), len(numbers))
		}
	})
}

// TestOutboxOneMessagePerFact: the outbox keeps one message per (account,
// kind, reference) whatever queues it again, and a message held by one
// node is not handed to another until its lease ends.
func TestOutboxOneMessagePerFact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		n := w.customerAccount("en", 1000_00)
		for i := range 3 {
			w.queueMessage(n, customer.MessageStatementReady, "2025-03-31", fmt.Sprintf("try %d", i), "b", w.clock())
		}
		due, err := w.db.DueMessages(w.ctx, n, w.clock(), 10)
		if err != nil || len(due) != 1 || due[0].Subject != "try 0" {
			t.Fatalf("DueMessages after queueing one fact three times = %d, %v; want the first one only", len(due), err)
		}
		now := w.clock()
		for i, want := range []int{1, 0} {
			if got, err := w.db.ClaimMessages(w.ctx, []string{due[0].ID}, now, now.Add(5*time.Minute)); err != nil || len(got) != want {
				t.Fatalf("claim %d = %v, %v; want %d held", i+1, got, err, want)
			}
		}
		if later, err := w.db.ClaimMessages(w.ctx, []string{due[0].ID, "msg_unknown"}, now.Add(6*time.Minute), now.Add(11*time.Minute)); err != nil ||
			len(later) != 1 || later[0] != due[0].ID {
			t.Fatalf("claim after the lease ended = %v, %v; want it held again", later, err)
		}
	})
}

// TestOutboxBulkMessagesWait: a statement day's notices (statement ready,
// payment due) are bulk: every other message waiting is delivered first,
// so a payment confirmation queued behind a million notices is not held
// up for hours at the provider's rate.
func TestOutboxBulkMessagesWait(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		a, b := w.customerAccount("en", 1000_00), w.customerAccount("en", 1000_00)
		queue := []struct{ number, kind, ref string }{
			{a, customer.MessageStatementReady, "2025-03-31"},
			{b, customer.MessageStatementReady, "2025-03-31"},
			{a, customer.MessagePaymentDue, "2025-04-21"},
			{b, customer.MessagePaymentReceived, "pay_1"},
			{a, customer.MessageStatusChanged, "sc_1"},
		}
		for i, q := range queue {
			w.queueMessage(q.number, q.kind, q.ref, q.kind, "b", w.clock().Add(time.Duration(i)*time.Second))
		}
		due, err := w.db.DueMessages(w.ctx, "", w.clock().Add(time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range due {
			got = append(got, m.Subject)
		}
		want := []string{customer.MessagePaymentReceived, customer.MessageStatusChanged, customer.MessageStatementReady, customer.MessageStatementReady,
			customer.MessagePaymentDue}
		if !slices.Equal(got, want) {
			t.Errorf("delivery order %v, want %v", got, want)
		}
	})
}

// overlapSender records what it sends and holds each send until another
// is in flight at the same time (or a deadline passes): a node sending one
// message at a time never gets two in flight.
type overlapSender struct {
	mu       sync.Mutex
	inFlight int
	two      chan struct{}
	overlap  bool
	bodies   []string
}

func (s *overlapSender) Send(_ context.Context, channel, to, subject, body string) error {
	s.mu.Lock()
	s.inFlight++
	if s.inFlight == 2 && !s.overlap {
		s.overlap = true
		close(s.two)
	}
	s.mu.Unlock()
	select {
	case <-s.two:
	case <-time.After(10 * time.Second): // only when sends never overlap
	}
	s.mu.Lock()
	s.inFlight--
	s.bodies = append(s.bodies, body)
	s.mu.Unlock()
	return nil
}

// TestMessagesSentSideBySide: a delivery pass sends several accounts'
// messages at once (a provider takes tens of milliseconds a message, and a
// statement day queues one per account), yet each account's messages go
// out in the order they were queued.
func TestMessagesSentSideBySide(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		var numbers []string
		for i := range 3 {
			n := w.customerAccount("en", 1000_00)
			w.purchase(n, 500_00)
			// $11.00 then $21.00 on the first account, $12.00 then $22.00…
			// queued while no messenger is set, so they wait for the pass.
			w.pay(n, int64(11+i)*100, engine.ChannelCheque, "first")
			w.pay(n, int64(21+i)*100, engine.ChannelCheque, "second")
			numbers = append(numbers, n)
		}
		sender := &overlapSender{two: make(chan struct{})}
		w.tell(openflex.Production, sender)
		sent, err := w.svc.DeliverMessages(w.ctx)
		if err != nil || sent != 6 {
			t.Fatalf("DeliverMessages = %d, %v; want the 6 payment messages", sent, err)
		}
		if !sender.overlap {
			t.Error("no two messages were ever sent at the same time")
		}
		at := func(amount string) int {
			return slices.IndexFunc(sender.bodies, func(b string) bool { return strings.Contains(b, amount) })
		}
		for i := range numbers {
			first, second := at(fmt.Sprintf("$%d.00", 11+i)), at(fmt.Sprintf("$%d.00", 21+i))
			if first < 0 || second < 0 || first > second {
				t.Errorf("account %d's messages out of order (first at %d, second at %d):\n%s", i, first, second, strings.Join(sender.bodies, "\n"))
			}
		}
	})
}

// leaseWatcher is a provider that answers at the node's pace (each send
// moves the world's clock on by pace) and records any message it is
// handed that the outbox would already hand another node: one whose lease
// had ended while it was being sent.
type leaseWatcher struct {
	w       *world
	pace    time.Duration
	exposed []string
}

func (s *leaseWatcher) Send(ctx context.Context, channel, to, subject, body string) error {
	due, err := s.w.db.DueMessages(ctx, "", s.w.clock(), 100)
	if err != nil {
		return err
	}
	for _, m := range due {
		if strings.Contains(body, m.Body) {
			s.exposed = append(s.exposed, fmt.Sprintf("%s at %s", m.Body, s.w.clock().Format(time.TimeOnly)))
		}
	}
	s.w.set(s.w.clock().Add(s.pace))
	return nil
}

// TestLongDeliveryPassKeepsItsLeases: a delivery pass holds only as many
// messages as it sends within half their lease at the node's pace, and
// holds each page from the page's own time: a statement day's pass lasts
// hours, and a message whose lease ended while its node was still to send
// it would be sent by another node too. At 0.02 messages a second (a page
// of 3) eight messages take 400 s of the clock; the lease is 5 minutes.
func TestLongDeliveryPassKeepsItsLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e, openflex.Production, toronto(3, 1))
		n := w.customerAccount("en", 1000_00)
		for i := range 8 {
			w.queueMessage(n, customer.MessagePaymentReceived, fmt.Sprintf("pay_%d", i), "Payment received", fmt.Sprintf("message %d.", i),
				w.clock().Add(time.Duration(i)*time.Second))
		}
		sender := &leaseWatcher{w: w, pace: 50 * time.Second}
		w.tell(openflex.Production, sender)
		w.svc.MessageRate = 0.02 // the 8 go out within the limiter's burst: the test does not wait
		sent, err := w.svc.DeliverMessages(w.ctx)
		if err != nil || sent != 8 {
			t.Fatalf("DeliverMessages = %d, %v; want 8 sent", sent, err)
		}
		if len(sender.exposed) > 0 {
			t.Errorf("messages free for another node while their node sent them: %v", sender.exposed)
		}
	})
}
