package main

import (
	"context"
	"fmt"
	"io"

	"github.com/openflex/openflex/internal/servicing"
)

type payoffOut struct {
	AccountNumber string      `json:"account_number"`
	Plan          *string     `json:"plan"`
	Date          string      `json:"date"`
	Principal     int64       `json:"principal"`
	Interest      int64       `json:"interest"`
	Accrued       int64       `json:"interest_accrued"`
	Fees          int64       `json:"fees"`
	ChargedOff    int64       `json:"charged_off"`
	Ahead         int64       `json:"paid_first"`
	Credit        int64       `json:"credit_balance"`
	Waived        int64       `json:"deferred_interest_waived"`
	Expiry        string      `json:"expiry,omitempty"`
	Amount        int64       `json:"amount"`
	Plans         []payoffOut `json:"plans,omitempty"`
}

func toPayoffOut(number string, p *servicing.Payoff) payoffOut {
	o := payoffOut{AccountNumber: number, Date: p.On.String(), Principal: p.Principal, Interest: p.Interest, Accrued: p.Accrued,
		Fees: p.Fees, ChargedOff: p.ChargedOff, Ahead: p.Ahead, Credit: p.Credit, Waived: p.Waived, Amount: p.Amount}
	if p.Segment != "" {
		o.Plan, o.Expiry = &p.Segment, p.Expiry.String()
	}
	for _, q := range p.Plans {
		o.Plans = append(o.Plans, toPayoffOut(number, &q))
	}
	return o
}

// cmdAccountsPayoff prints what pays off an account, or one of its plans,
// on a day (today by the account's clock, up to 60 days ahead).
func cmdAccountsPayoff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newServicingCmd("accounts payoff", stdout)
	s.needArg = "NUMBER"
	var plan, date string
	s.fs.StringVar(&plan, "plan", "", "a plan's id (its purchase's capture id); default: the whole account")
	s.fs.StringVar(&date, "date", "", "the day the payment is made, YYYY-MM-DD (default: today on the account's clock)")
	defer s.close()
	if err := s.open(ctx, args, stderr, "openflex accounts payoff NUMBER [--plan ID] [--date YYYY-MM-DD] [--env training|production] [--json]", nil); err != nil {
		return err
	}
	var on servicing.Date
	if date != "" {
		d, err := servicing.ParseDate(date)
		if err != nil {
			return usageError{"--date must be YYYY-MM-DD"}
		}
		on = d
	}
	p, err := s.svc.Payoff(ctx, s.arg, plan, on)
	if err != nil {
		return cliError(err)
	}
	out := toPayoffOut(s.arg, p)
	if s.asJSON {
		return printJSON(stdout, out)
	}
	what := "the whole account"
	if plan != "" {
		what = "plan " + plan
	}
	fmt.Fprintf(stdout, "payoff of %s %s on %s: %s\n", s.arg, what, out.Date, dollars(p.Amount))
	fmt.Fprintf(stdout, "  principal %s  interest billed %s  interest accrued %s  fees %s", dollars(p.Principal), dollars(p.Interest),
		dollars(p.Accrued), dollars(p.Fees))
	if p.ChargedOff > 0 {
		fmt.Fprintf(stdout, "  charged off %s", dollars(p.ChargedOff))
	}
	if p.Ahead > 0 {
		fmt.Fprintf(stdout, "  paid first (due on other balances) %s", dollars(p.Ahead))
	}
	if p.Credit > 0 {
		fmt.Fprintf(stdout, "  less credit balance %s", dollars(p.Credit))
	}
	fmt.Fprintln(stdout)
	if p.Waived > 0 {
		fmt.Fprintf(stdout, "  deferred interest accrued %s is waived when paid in full by the plan's expiry\n", dollars(p.Waived))
	}
	for _, q := range p.Plans {
		fmt.Fprintf(stdout, "  plan %s (%s, %s): %s", q.Segment, q.Kind, q.Description, dollars(q.Amount))
		if q.Waived > 0 {
			fmt.Fprintf(stdout, "; %s deferred interest waived if paid by %s", dollars(q.Waived), q.Expiry)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, "  (an estimate when nothing else is bought, returned or paid before that day; paying early has no penalty)")
	return nil
}
