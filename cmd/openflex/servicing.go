package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/api"
	"github.com/openflex/openflex/internal/servicing"
	"github.com/openflex/openflex/internal/servicing/engine"
)

// servicingCmd is what every servicing command shares: the storage flags,
// the environment, --json, and the opened platform.
type servicingCmd struct {
	c       Config
	env     string
	asJSON  bool
	fs      *flag.FlagSet
	e       openflex.Environment
	m       *Main
	svc     *engine.Service
	render  func(v any) ([]byte, error)
	stdout  io.Writer
	needArg string // the positional argument's name, "" for none
	arg     string
}

func newServicingCmd(name string, stdout io.Writer) *servicingCmd {
	s := &servicingCmd{fs: flag.NewFlagSet(name, flag.ContinueOnError), stdout: stdout}
	storageFlags(&s.c, s.fs)
	lenderFlags(&s.c, s.fs)
	s.fs.StringVar(&s.env, "env", "production", "environment: training or production")
	s.fs.BoolVar(&s.asJSON, "json", false, "print JSON (the API's objects)")
	return s
}

// open parses args (usage is the command's usage line) and opens the
// platform.
func (s *servicingCmd) open(ctx context.Context, args []string, stderr io.Writer, usage string, ok func() bool) error {
	if err := parse(s.fs, args, stderr); err != nil {
		return err
	}
	if s.needArg != "" {
		if s.fs.NArg() != 1 {
			return usageError{"usage: " + usage}
		}
		s.arg = s.fs.Arg(0)
	}
	if ok != nil && !ok() {
		return usageError{"usage: " + usage}
	}
	e, valid := openflex.ParseEnvironment(s.env)
	if !valid {
		return usageError{"--env must be training or production"}
	}
	m, err := openAdmin(ctx, s.c)
	if err != nil {
		return err
	}
	s.e, s.m, s.svc, s.render = e, m, m.Planes[e].Servicing, api.RenderEvent(e)
	return nil
}

func (s *servicingCmd) close() {
	if s.m != nil {
		s.m.Close()
	}
}

// print writes v as the API renders it with --json, else text.
func (s *servicingCmd) print(v any, text string) error {
	if !s.asJSON {
		_, err := fmt.Fprint(s.stdout, text)
		return err
	}
	b, err := s.render(v)
	if err != nil {
		return err
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	return printJSON(s.stdout, out)
}

func dollars(cents int64) string { return openflex.FormatCAD(cents, "en") }

type segmentOut struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Rate      string `json:"annual_rate"`
	Principal int64  `json:"principal"`
	Interest  int64  `json:"interest"`
	Fees      int64  `json:"fees"`
	Due       int64  `json:"due"`
	Expiry    string `json:"expiry,omitempty"`
	Closed    bool   `json:"closed"`
}

type accountShowOut struct {
	AccountNumber   string       `json:"account_number"`
	Environment     string       `json:"environment"`
	Status          string       `json:"status"`
	Province        string       `json:"province"`
	CreditLimit     int64        `json:"credit_limit"`
	PostedBalance   int64        `json:"posted_balance"`
	Charges         int64        `json:"charges"`
	Held            int64        `json:"held"`
	AvailableCredit int64        `json:"available_credit"`
	StatementDay    int          `json:"statement_day"`
	TimeZone        string       `json:"time_zone"`
	ServicedThrough string       `json:"serviced_through"`
	TestClock       *string      `json:"test_clock"`
	Credit          int64        `json:"credit_balance"`
	ChargedOff      int64        `json:"charged_off"`
	PastDue         int64        `json:"past_due"`
	NextDue         *string      `json:"next_due_date"`
	Segments        []segmentOut `json:"segments"`
	// StatementDelivery is "electronic" (the customer consented) or
	// "paper"; DeliveryChosen when the choice was made ("" by default).
	StatementDelivery string `json:"statement_delivery"`
	DeliveryChosen    string `json:"statement_delivery_chosen_at,omitempty"`
}

// cmdAccountsShow prints an account's balances, standing and segments.
func cmdAccountsShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newServicingCmd("accounts show", stdout)
	s.needArg = "NUMBER"
	defer s.close()
	if err := s.open(ctx, args, stderr, "openflex accounts show NUMBER [--env training|production] [--json]", nil); err != nil {
		return err
	}
	v, err := s.svc.Account(ctx, s.arg)
	if err != nil {
		return cliError(err)
	}
	a := v.Account
	out := accountShowOut{AccountNumber: a.Number, Environment: string(s.e), Status: string(a.Status), Province: string(a.Province),
		CreditLimit: a.CreditLimit, PostedBalance: a.PostedBalance, Charges: a.Charges, Held: a.Held, AvailableCredit: a.Available(),
		StatementDay: v.Row.StatementDay, TimeZone: v.Row.TimeZone, Segments: []segmentOut{}}
	if v.Clock != nil {
		out.TestClock = &v.Clock.ID
	}
	if st := v.State; st != nil {
		out.ServicedThrough, out.Credit, out.ChargedOff = st.Day.String(), st.Credit, st.ChargedOff
		for _, d := range st.Dues {
			if d.Remaining > 0 {
				if d.DueDate.Before(st.OpenDay()) {
					out.PastDue += d.Remaining
				} else if out.NextDue == nil {
					due := d.DueDate.String()
					out.NextDue = &due
				}
			}
		}
		for _, g := range st.Segments {
			out.Segments = append(out.Segments, segmentOut{ID: g.ID, Kind: string(g.Kind), Rate: g.Rate.String() + "%", Principal: g.Principal,
				Interest: g.Interest, Fees: g.Fees, Due: g.Due, Expiry: g.Expiry.String(), Closed: g.Closed})
		}
	}
	delivery, err := s.svc.StatementDelivery(ctx, s.arg)
	if err != nil {
		return cliError(err)
	}
	out.StatementDelivery = "paper"
	if delivery.Electronic {
		out.StatementDelivery = "electronic"
	}
	if !delivery.Created.IsZero() {
		out.DeliveryChosen = delivery.Created.Format(time.RFC3339)
	}
	if s.asJSON {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "account %s (%s, %s)  %s\n", a.Number, s.e, a.Province, a.Status)
	fmt.Fprintf(stdout, "  limit %s  owed %s (posted %s, interest and fees %s)  held %s  available %s\n", dollars(a.CreditLimit),
		dollars(a.Owed()), dollars(a.PostedBalance), dollars(a.Charges), dollars(a.Held), dollars(a.Available()))
	day := "the last day of the month"
	if v.Row.StatementDay > 0 {
		day = "day " + strconv.Itoa(v.Row.StatementDay)
	}
	fmt.Fprintf(stdout, "  statements on %s, %s; serviced through %s", day, v.Row.TimeZone, out.ServicedThrough)
	if out.TestClock != nil {
		fmt.Fprintf(stdout, "; on test clock %s at %s", v.Clock.ID, v.Clock.FrozenTime.Format(time.RFC3339))
	}
	fmt.Fprintln(stdout)
	if out.PastDue > 0 {
		fmt.Fprintf(stdout, "  past due %s\n", dollars(out.PastDue))
	}
	if delivery.Electronic {
		fmt.Fprintf(stdout, "  statements electronic (consented %s)\n", out.DeliveryChosen)
	} else {
		fmt.Fprintln(stdout, "  statements on paper, by mail")
	}
	for _, g := range out.Segments {
		fmt.Fprintf(stdout, "  segment %s  %s at %s  principal %s  interest %s  fees %s  due %s", g.ID, g.Kind, g.Rate, dollars(g.Principal),
			dollars(g.Interest), dollars(g.Fees), dollars(g.Due))
		if g.Expiry != "" {
			fmt.Fprintf(stdout, "  ends %s", g.Expiry)
		}
		if g.Closed {
			fmt.Fprint(stdout, "  (closed)")
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// operator is who runs the command, for the record of a staff action:
// $USER, else the system's name for the process's user (a container or a
// service has no $USER), else "".
func operator() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// cmdAccountsStaff freezes, unfreezes or closes an account, as lender
// staff with a reason.
func cmdAccountsStaff(action servicing.StaffAction) func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		s := newServicingCmd("accounts "+string(action), stdout)
		s.needArg = "NUMBER"
		var reason, staff string
		s.fs.StringVar(&reason, "reason", "", "why, for the record (required)")
		s.fs.StringVar(&staff, "staff", operator(), "who does it (default: the user running the command)")
		defer s.close()
		usage := fmt.Sprintf("openflex accounts %s NUMBER --reason TEXT [--staff NAME] [--env training|production] [--json]", action)
		if err := s.open(ctx, args, stderr, usage, func() bool { return reason != "" }); err != nil {
			return err
		}
		if staff == "" {
			return usageError{"--staff NAME is required: who is running the command could not be told"}
		}
		a, err := s.svc.StaffAction(ctx, s.arg, action, staff, reason)
		if err != nil {
			return cliError(err)
		}
		if s.asJSON {
			return printJSON(stdout, map[string]any{"account_number": a.Number, "environment": string(s.e), "status": a.Status, "reason": reason, "staff": staff})
		}
		fmt.Fprintf(stdout, "account %s is %s (%s, by %s)\n", a.Number, a.Status, reason, staff)
		return nil
	}
}

// cmdStatementsList lists an account's statements, newest first.
func cmdStatementsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newServicingCmd("statements list", stdout)
	var account string
	s.fs.StringVar(&account, "account", "", "the 14-digit account number")
	defer s.close()
	if err := s.open(ctx, args, stderr, "openflex statements list --account NUMBER [--env training|production] [--json]", func() bool { return account != "" }); err != nil {
		return err
	}
	var all []*engine.StatementView
	p := openflex.ListParams{Limit: openflex.MaxListLimit}
	for {
		page, more, err := s.svc.Statements(ctx, account, p)
		if err != nil {
			return cliError(err)
		}
		all = append(all, page...)
		if !more || len(page) == 0 {
			break
		}
		p.StartingAfter = page[len(page)-1].Stored.ID
	}
	if s.asJSON {
		out := make([]any, 0, len(all))
		for _, v := range all {
			b, err := s.render(v)
			if err != nil {
				return err
			}
			out = append(out, json.RawMessage(b))
		}
		return printJSON(stdout, out)
	}
	if len(all) == 0 {
		fmt.Fprintf(stdout, "account %s has no statements in %s\n", account, s.e)
	}
	for _, v := range all {
		st := v.Statement
		fmt.Fprintf(stdout, "%s  %s to %s  balance %s  minimum %s  due %s\n", v.Stored.ID, st.PeriodStart, st.PeriodEnd,
			dollars(st.ClosingBalance), dollars(st.MinimumPayment), st.DueDate)
	}
	return nil
}

// cmdStatementsShow prints a statement as the customer reads it.
func cmdStatementsShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newServicingCmd("statements show", stdout)
	s.needArg = "ID"
	defer s.close()
	if err := s.open(ctx, args, stderr, "openflex statements show ID [--env training|production] [--json]", nil); err != nil {
		return err
	}
	v, err := s.svc.Statement(ctx, s.arg)
	if err != nil {
		return cliError(err)
	}
	return s.print(v, v.Stored.Text)
}

// cmdPaymentsCreate records a payment the lender received (a bank bill
// payment, a cheque, a debit).
func cmdPaymentsCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newServicingCmd("payments create", stdout)
	var account, channel, reference string
	var amount int64
	s.fs.StringVar(&account, "account", "", "the 14-digit account number")
	s.fs.Int64Var(&amount, "amount", 0, "the payment in cents")
	s.fs.StringVar(&channel, "channel", engine.ChannelBank, "how it came: bank, cheque or debit")
	s.fs.StringVar(&reference, "reference", "", "the bank's or cheque's reference")
	defer s.close()
	usage := "openflex payments create --account NUMBER --amount CENTS [--channel bank|cheque|debit] [--reference TEXT] [--env training|production] [--json]"
	if err := s.open(ctx, args, stderr, usage, func() bool { return account != "" && amount != 0 }); err != nil {
		return err
	}
	if channel != engine.ChannelBank && channel != engine.ChannelCheque && channel != engine.ChannelDebit {
		return usageError{"--channel must be bank, cheque or debit"}
	}
	r, err := s.svc.Pay(ctx, engine.PaymentRequest{AccountNumber: account, Amount: amount, Channel: channel, Reference: reference})
	if err != nil {
		return cliError(err)
	}
	return s.print(r, fmt.Sprintf("payment %s of %s on account %s, %s; owed %s, available %s\n", r.Payment.ID, dollars(r.Payment.Amount),
		account, r.Payment.PostedOn, dollars(r.Account.Owed()), dollars(r.Account.Available())))
}

// cmdPaymentsReverse undoes a payment: returned by the bank (--returned:
// the lender's NSF fee applies) or a correction.
func cmdPaymentsReverse(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newServicingCmd("payments reverse", stdout)
	s.needArg = "ID"
	var reason string
	var returned bool
	s.fs.StringVar(&reason, "reason", "", "why, for the record (required)")
	s.fs.BoolVar(&returned, "returned", false, "the bank returned it unpaid (NSF): the lender's NSF fee is charged")
	defer s.close()
	usage := "openflex payments reverse ID --reason TEXT [--returned] [--env training|production] [--json]"
	if err := s.open(ctx, args, stderr, usage, func() bool { return reason != "" }); err != nil {
		return err
	}
	r, err := s.svc.Reverse(ctx, s.arg, returned, reason)
	if err != nil {
		return cliError(err)
	}
	text := fmt.Sprintf("payment %s reversed (%s); owed %s, available %s\n", r.Payment.ID, reason, dollars(r.Account.Owed()), dollars(r.Account.Available()))
	if r.Payment.NSFFee > 0 {
		text = fmt.Sprintf("payment %s reversed (%s), NSF fee %s; owed %s, available %s\n", r.Payment.ID, reason, dollars(r.Payment.NSFFee),
			dollars(r.Account.Owed()), dollars(r.Account.Available()))
	}
	return s.print(r, text)
}

func parseTime(flagName, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, usageError{fmt.Sprintf("--%s must be an RFC 3339 time, e.g. 2025-03-01T12:00:00-05:00", flagName)}
	}
	return t, nil
}

func clockText(c *engine.TestClock) string {
	return fmt.Sprintf("test clock %s of merchant %s at %s (%s)\n", c.ID, c.MerchantID, c.FrozenTime.Format(time.RFC3339), c.Status)
}

// cmdTestClocksCreate starts a TRAINING test clock for a merchant.
func cmdTestClocksCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newServicingCmd("test-clocks create", stdout)
	s.env = "training"
	var merchant, at, name string
	s.fs.StringVar(&merchant, "merchant", "", "the merchant that owns the clock (mer_…)")
	s.fs.StringVar(&at, "time", "", "where the clock starts (RFC 3339)")
	s.fs.StringVar(&name, "name", "", "a name to recognise it by")
	defer s.close()
	if err := s.open(ctx, args, stderr, "openflex test-clocks create --merchant ID --time RFC3339 [--name TEXT] [--json]",
		func() bool { return merchant != "" && at != "" }); err != nil {
		return err
	}
	t, err := parseTime("time", at)
	if err != nil {
		return err
	}
	c, err := s.svc.CreateTestClock(ctx, merchant, name, t)
	if err != nil {
		return cliError(err)
	}
	return s.printClock(c)
}

func (s *servicingCmd) printClock(c *engine.TestClock) error {
	if s.asJSON {
		return printJSON(s.stdout, map[string]any{"id": c.ID, "object": "test_clock", "merchant_id": c.MerchantID, "name": c.Name,
			"frozen_time": c.FrozenTime.Format(time.RFC3339), "status": c.Status})
	}
	_, err := fmt.Fprint(s.stdout, clockText(c))
	return err
}

// cmdTestClocksAdvance moves a clock forward, applying every day passed.
func cmdTestClocksAdvance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newServicingCmd("test-clocks advance", stdout)
	s.env = "training"
	s.needArg = "ID"
	var merchant, to string
	s.fs.StringVar(&merchant, "merchant", "", "the merchant that owns the clock (mer_…)")
	s.fs.StringVar(&to, "to", "", "the new time (RFC 3339)")
	defer s.close()
	if err := s.open(ctx, args, stderr, "openflex test-clocks advance ID --merchant ID --to RFC3339 [--json]",
		func() bool { return merchant != "" && to != "" }); err != nil {
		return err
	}
	t, err := parseTime("to", to)
	if err != nil {
		return err
	}
	c, err := s.svc.AdvanceTestClock(ctx, merchant, s.arg, t)
	if err != nil {
		return cliError(err)
	}
	return s.printClock(c)
}

// cmdTestClocksAttach puts a fresh account on a clock.
func cmdTestClocksAttach(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newServicingCmd("test-clocks attach", stdout)
	s.env = "training"
	s.needArg = "ID"
	var merchant, account string
	s.fs.StringVar(&merchant, "merchant", "", "the merchant that owns the clock (mer_…)")
	s.fs.StringVar(&account, "account", "", "the account to put on it")
	defer s.close()
	if err := s.open(ctx, args, stderr, "openflex test-clocks attach ID --merchant ID --account NUMBER [--json]",
		func() bool { return merchant != "" && account != "" }); err != nil {
		return err
	}
	if _, err := s.svc.AttachTestClock(ctx, merchant, s.arg, account); err != nil {
		return cliError(err)
	}
	c, err := s.svc.TestClock(ctx, merchant, s.arg)
	if err != nil {
		return cliError(err)
	}
	return s.printClock(c)
}
