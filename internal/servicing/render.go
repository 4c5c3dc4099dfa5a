package servicing

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/finance"
)

// The descriptions the package writes on statement lines itself.
const (
	feeAdmin     = "Administration fee"
	feeNSF       = "Returned payment (NSF) fee"
	interestText = "Interest"
)

// words are a statement's fixed texts in one language.
type words struct {
	title, account, period, opening, activity, date, description, amount string
	totalDebits, totalCredits, interest, fees, closing, limit, available string
	minimum, pastDue, due, grace, rates, regular, plans                  string
	instalment, remaining, ends, expires, ifUnpaid, atExpiry             string
	repayTitle, repay, repayNever, dispute, phone, mail, web, status     string
	kinds                                                                map[LineKind]string
	months                                                               [12]string
	noActivity                                                           string
	// texts translates the descriptions the package writes itself.
	texts map[string]string
	// channels names how a payment came (a payment line's description is
	// its channel code) and statuses the account's standing: the customer
	// reads words, not the API's codes.
	channels, statuses map[string]string
}

var english = words{
	title: "Statement", account: "Account", period: "Statement period", opening: "Previous balance",
	activity: "Transactions", date: "Date", description: "Description", amount: "Amount",
	totalDebits: "Total purchases, interest and fees", totalCredits: "Total payments and credits",
	interest: "Interest charged", fees: "Fees charged", closing: "New balance", limit: "Credit limit",
	available: "Available credit", minimum: "Minimum payment", pastDue: "of which past due", due: "Payment due date",
	grace: "Pay this amount by the due date to pay no interest on your regular purchases",
	rates: "Annual interest rates", regular: "Regular purchases", plans: "Your plans",
	instalment: "Instalment this month", remaining: "Remaining balance", ends: "Last instalment billed",
	expires: "Promotion ends", ifUnpaid: "Interest accrued so far, charged if the balance is not paid in full by then",
	atExpiry:   "Interest charged at that date if the balance stays as it is",
	repayTitle: "If you pay only the minimum payment",
	repay:      "If you pay only the minimum payment each month, it will take about %d months to pay your regular balance, with %s in interest.",
	repayNever: "If you pay only the minimum payment each month, your regular balance will never be paid off.",
	dispute:    "Billing error? Tell us within %d days of the statement date, in writing or by phone; we will investigate and correct any error. You do not have to pay the amount in dispute while we do.",
	phone:      "Questions: call %s at %s.", mail: "Write to us at %s, or by mail to %s.", web: "Online: %s", status: "Account status",
	kinds: map[LineKind]string{LinePurchase: "Purchase", LineReturn: "Return", LinePayment: "Payment, thank you",
		LinePaymentReversed: "Payment reversed", LineInterest: "Interest", LineFee: "Fee",
		LineFeeWaived: "Fee waived", LineInterestWaived: "Interest waived"},
	months:     [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	noActivity: "No transactions this period.",
	channels: map[string]string{"in_store": "in store", "bank": "bank bill payment", "cheque": "cheque",
		"debit": "pre-authorized debit", "test_helper": "test payment"},
	statuses: map[string]string{"normal": "normal", "auth_prohibited": "purchases paused (payment past due)",
		"frozen": "frozen", "charged_off": "charged off", "closed": "closed"},
}

var french = words{
	title: "Relevé de compte", account: "Compte", period: "Période du relevé", opening: "Solde précédent",
	activity: "Opérations", date: "Date", description: "Description", amount: "Montant",
	totalDebits: "Total des achats, intérêts et frais", totalCredits: "Total des paiements et crédits",
	interest: "Intérêts imputés", fees: "Frais imputés", closing: "Nouveau solde", limit: "Limite de crédit",
	available: "Crédit disponible", minimum: "Paiement minimum", pastDue: "dont en souffrance", due: "Date d’échéance du paiement",
	grace: "Payez ce montant au plus tard à la date d’échéance pour n’avoir aucun intérêt sur vos achats courants",
	rates: "Taux d’intérêt annuels", regular: "Achats courants", plans: "Vos plans",
	instalment: "Versement de ce mois", remaining: "Solde restant", ends: "Dernier versement facturé",
	expires: "Fin de la promotion", ifUnpaid: "Intérêts courus à ce jour, imputés si le solde n’est pas payé en entier d’ici là",
	atExpiry:   "Intérêts imputés à cette date si le solde reste le même",
	repayTitle: "Si vous ne payez que le paiement minimum",
	repay:      "Si vous ne payez que le paiement minimum chaque mois, il vous faudra environ %d mois pour rembourser votre solde courant, avec %s d’intérêts.",
	repayNever: "Si vous ne payez que le paiement minimum chaque mois, votre solde courant ne sera jamais remboursé.",
	dispute:    "Une erreur de facturation\u00a0? Avisez-nous dans les %d jours suivant la date du relevé, par écrit ou par téléphone\u00a0; nous ferons enquête et corrigerons toute erreur. Vous n’avez pas à payer le montant contesté pendant l’enquête.",
	phone:      "Des questions\u00a0? Appelez %s au %s.", mail: "Écrivez-nous à %s, ou par la poste au %s.", web: "En ligne\u00a0: %s", status: "État du compte",
	kinds: map[LineKind]string{LinePurchase: "Achat", LineReturn: "Retour", LinePayment: "Paiement, merci",
		LinePaymentReversed: "Paiement annulé", LineInterest: "Intérêts", LineFee: "Frais",
		LineFeeWaived: "Frais annulés", LineInterestWaived: "Intérêts annulés"},
	months:     [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	noActivity: "Aucune opération pendant la période.",
	texts: map[string]string{feeAdmin: "Frais d’administration", feeNSF: "Frais de paiement refusé (provision insuffisante)",
		interestText: "Intérêts"},
	channels: map[string]string{"in_store": "en magasin", "bank": "paiement de facture bancaire", "cheque": "chèque",
		"debit": "débit préautorisé", "test_helper": "paiement de test"},
	statuses: map[string]string{"normal": "normal", "auth_prohibited": "achats suspendus (paiement en souffrance)",
		"frozen": "gelé", "charged_off": "radié", "closed": "fermé"},
}

// longDate is "March 31, 2025" or "31 mars 2025".
func (w *words) longDate(d Date, fr bool) string {
	if d.IsZero() {
		return "—"
	}
	m := w.months[d.Month-time.January]
	if fr {
		day := strconv.Itoa(d.Day)
		if d.Day == 1 {
			day = "1er"
		}
		return day + " " + m + " " + strconv.Itoa(d.Year)
	}
	return fmt.Sprintf("%s %d, %d", m, d.Day, d.Year)
}

// Render writes st as plain text in its language (French for "fr…",
// English otherwise): the statement a customer reads, the CLI prints and
// a page or PDF lays out from the same data.
func Render(st *Statement) string {
	fr := finance.IsFrench(st.Language)
	w := &english
	lang := "en"
	if fr {
		w, lang = &french, "fr"
	}
	money := func(c int64) string { return openflex.FormatCAD(c, lang) }
	colon := ":"
	if fr {
		colon = "\u00a0:" // French typography: a no-break space before the colon
	}
	var b strings.Builder
	row := func(label, value string) {
		fmt.Fprintf(&b, "%-44s %s\n", label, value)
	}
	fmt.Fprintf(&b, "%s — %s\n", st.Lender.Name, w.title)
	row(w.account, st.Account)
	row(w.period, w.longDate(st.PeriodStart, fr)+" – "+w.longDate(st.PeriodEnd, fr))
	status := string(st.Status)
	if s, ok := w.statuses[status]; ok {
		status = s
	}
	row(w.status, status)
	b.WriteString("\n")
	row(w.opening, money(st.OpeningBalance))
	signed := func(sign string, c int64) string { // no sign on nothing: "-$0.00" reads as a debt
		if c == 0 {
			return money(0)
		}
		return sign + money(c)
	}
	row(w.totalCredits, signed("-", st.TotalCredits))
	row(w.totalDebits, signed("+", st.TotalDebits))
	row("  "+w.interest, money(st.InterestCharged))
	row("  "+w.fees, money(st.FeesCharged))
	row(w.closing, money(st.ClosingBalance))
	row(w.limit, money(st.CreditLimit))
	row(w.available, money(st.AvailableCredit))
	b.WriteString("\n")
	minimum := money(st.MinimumPayment)
	if st.PastDue > 0 {
		minimum += " (" + w.pastDue + " " + money(st.PastDue) + ")"
	}
	row(w.minimum, minimum)
	row(w.due, w.longDate(st.DueDate, fr))
	fmt.Fprintf(&b, "%s%s %s\n", w.grace, colon, money(st.GraceAmount))

	fmt.Fprintf(&b, "\n%s\n", w.activity)
	if len(st.Lines) == 0 {
		b.WriteString(w.noActivity + "\n")
	}
	for _, l := range st.Lines {
		desc := w.kinds[l.Kind]
		what := l.Description
		if t, ok := w.texts[what]; ok {
			what = t
		}
		if t, ok := w.channels[what]; ok && l.Kind == LinePayment {
			what = t
		}
		for _, part := range []string{l.MerchantLabel(), l.StoreLabel(), what} {
			if part != "" {
				desc += " — " + part
			}
		}
		fmt.Fprintf(&b, "%s  %-60s %12s\n", l.Date, desc, money(l.Amount))
	}

	fmt.Fprintf(&b, "\n%s\n", w.rates)
	for _, r := range st.Rates {
		label := r.Label
		if r.Kind == SegmentRevolving {
			label = w.regular
		}
		fmt.Fprintf(&b, "  %-42s %s\n", label, finance.FormatPercent(r.Rate, lang))
	}
	if len(st.Plans) > 0 {
		fmt.Fprintf(&b, "\n%s\n", w.plans)
		for _, p := range st.Plans {
			fmt.Fprintf(&b, "  %s", p.Description)
			if m := p.MerchantLabel(); m != "" {
				fmt.Fprintf(&b, " (%s)", m)
			}
			b.WriteString("\n")
			switch p.Kind {
			case SegmentEqualPayments:
				row("    "+w.instalment, money(p.Instalment))
				row("    "+w.remaining, money(p.Remaining))
				row("    "+w.ends, w.longDate(p.EndDate, fr))
			case SegmentDeferred:
				row("    "+w.remaining, money(p.Remaining))
				row("    "+w.expires, w.longDate(p.EndDate, fr))
				if p.Remaining > 0 && (p.InterestIfUnpaid > 0 || p.InterestAtExpiry > 0) {
					fmt.Fprintf(&b, "    %s%s %s\n", w.ifUnpaid, colon, money(p.InterestIfUnpaid))
					fmt.Fprintf(&b, "    %s%s %s\n", w.atExpiry, colon, money(p.InterestAtExpiry))
				}
			}
		}
	}
	if st.Repayment.Never {
		fmt.Fprintf(&b, "\n%s\n%s\n", w.repayTitle, w.repayNever)
	} else if st.Repayment.Months > 0 {
		fmt.Fprintf(&b, "\n%s\n"+w.repay+"\n", w.repayTitle, st.Repayment.Months, money(st.Repayment.Interest))
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, w.dispute+"\n", st.Lender.DisputeDays)
	fmt.Fprintf(&b, w.phone+"\n", st.Lender.Name, st.Lender.Phone)
	if st.Lender.Email != "" && st.Lender.Address != "" { // statements written before they were configured have neither
		fmt.Fprintf(&b, w.mail+"\n", st.Lender.Email, st.Lender.Address)
	}
	if st.Lender.Website != "" {
		fmt.Fprintf(&b, w.web+"\n", st.Lender.Website)
	}
	return b.String()
}
