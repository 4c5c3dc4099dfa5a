package finance

import "strconv"

// The phrasebooks of the disclosures. French follows Canadian (Quebec)
// usage: "taux annuel du coût d'emprunt (TAC)", "coût total de l'emprunt",
// "frais d'administration", a no-break space before ":" and "%", and
// amounts such as "1 299,99 $".

// colon is the French colon with its no-break space.
const colon = nbsp + ":"

var english = &phrasebook{
	label: func(name string) string { return name + ": " },

	financing: func(amount string) string { return "You are financing " + amount },
	financedInOne: func(amount, payment string) string {
		return "You are financing " + amount + ", repaid in one payment of " + payment
	},
	financedInEqual: func(amount, months, payment string) string {
		return "You are financing " + amount + ", repaid in " + months + " equal monthly payments of " + payment
	},
	monthlyFeeIncluded: func(fee string) string { return ", including the " + fee + " monthly administration fee" },
	noteFirstWithFee:   func(payment string) string { return "first payment: " + payment + ", including the administration fee" },
	noteLast:           func(payment string) string { return "last payment: " + payment },
	noteMonthlyFeeInc:  func(fee string) string { return "including the " + fee + " monthly administration fee" },
	annualRate:         "Annual interest rate",
	apr:                "Annual percentage rate (APR)",
	feeName:            "Administration fee",
	feeNone:            "none.",
	feeMonthly:         func(fee, total string) string { return fee + " a month, " + total + " in total." },
	feeOnce:            func(fee, when string) string { return fee + ", charged once " + when + "." },
	withFirst:          "with the first payment",
	atBuying:           "when the purchase is made",
	totalCost:          "Total cost of borrowing (interest and fees)",
	totalPay:           "Total to pay",

	months:     func(n int) string { return strconv.Itoa(n) + plural(n, " month", " months") },
	endOfMonth: func(n int) string { return "the end of month " + strconv.Itoa(n) },
	promoFree: func(months string) string {
		return "No interest if paid in full within " + months + ": no interest accrues on this purchase (annual interest rate: 0%)."
	},
	promoAccrues: func(months, rate, end string) string {
		return "No interest if paid in full within " + months + ". Interest accrues during the promotion: it is charged from the purchase date at the annual interest rate of " +
			rate + " unless the balance is paid in full by " + end + "."
	},
	otherwise: func(end, interest, rate, amount, months, apr string) string {
		return "If the balance is not paid in full by " + end + ", the interest accrued since the purchase date is charged: " +
			interest + " if nothing is paid during the promotion (simple interest at " + rate +
			" a year on " + amount + " for " + months + "), for an annual percentage rate (APR) of " + apr + "."
	},
	noPaymentNeeded: "No payment is required during the promotion",
	exceptFee:       " other than the administration fee",
	payInTime: func(monthly string) string {
		return "; to pay the balance in full in time, pay " + monthly + " a month"
	},
	ifInTime:    " if paid in full in time",
	aprIfInTime: "Annual percentage rate (APR) if paid in full in time",

	regularPurchase: func(amount string) string { return "Regular purchase of " + amount + " on your revolving account." },
	ratesTogether: func(rate, apr string) string {
		return "Annual interest rate: " + rate + "; annual percentage rate (APR): " + apr + "."
	},
	interestRule: "Interest is charged on any balance not paid in full by the statement due date.",
	minimumPayment: func(monthly, floor string) string {
		return "Minimum payment on this purchase: " + monthly + " a month (3% of the purchase rounded up to the cent, but at least " +
			floor + ", or the whole purchase if it is less)."
	},
	byDue:          " if you pay this purchase in full by your statement due date",
	orElseInterest: "; otherwise interest is added.",
}

var french = &phrasebook{
	label: func(name string) string { return name + colon + " " },

	financing: func(amount string) string { return "Vous financez " + amount },
	financedInOne: func(amount, payment string) string {
		return "Vous financez " + amount + ", à rembourser en un seul versement de " + payment
	},
	financedInEqual: func(amount, months, payment string) string {
		return "Vous financez " + amount + ", à rembourser en " + months + " versements mensuels égaux de " + payment
	},
	monthlyFeeIncluded: func(fee string) string { return ", frais d'administration mensuels de " + fee + " compris" },
	noteFirstWithFee: func(payment string) string {
		return "premier versement" + colon + " " + payment + ", frais d'administration compris"
	},
	noteLast:          func(payment string) string { return "dernier versement" + colon + " " + payment },
	noteMonthlyFeeInc: func(fee string) string { return "frais d'administration mensuels de " + fee + " compris" },
	annualRate:        "Taux d'intérêt annuel",
	apr:               "Taux annuel du coût d'emprunt (TAC)",
	feeName:           "Frais d'administration",
	feeNone:           "aucuns.",
	feeMonthly:        func(fee, total string) string { return fee + " par mois, soit " + total + " au total." },
	feeOnce:           func(fee, when string) string { return fee + ", exigés une seule fois " + when + "." },
	withFirst:         "avec le premier versement",
	atBuying:          "au moment de l'achat",
	totalCost:         "Coût total de l'emprunt (intérêts et frais)",
	totalPay:          "Montant total à payer",

	months:     func(n int) string { return strconv.Itoa(n) + " mois" },
	endOfMonth: func(n int) string { return "à la fin du " + ordinalFR(n) + " mois" },
	promoFree: func(months string) string {
		return "Aucun intérêt si le solde est payé en totalité d'ici " + months + colon +
			" aucun intérêt ne court sur cet achat (taux d'intérêt annuel" + colon + " 0" + nbsp + "%)."
	},
	promoAccrues: func(months, rate, end string) string {
		return "Aucun intérêt si le solde est payé en totalité d'ici " + months + ". Des intérêts courent pendant la promotion" + colon +
			" ils sont calculés depuis la date d'achat au taux d'intérêt annuel de " + rate +
			" et ne sont annulés que si le solde est payé en totalité au plus tard " + end + "."
	},
	otherwise: func(end, interest, rate, amount, months, apr string) string {
		return "Si le solde n'est pas payé en totalité " + end + ", les intérêts courus depuis la date d'achat sont exigés" + colon + " " +
			interest + " si rien n'est payé pendant la promotion (intérêt simple au taux annuel de " + rate +
			" sur " + amount + " pendant " + months + "), soit un taux annuel du coût d'emprunt (TAC) de " + apr + "."
	},
	noPaymentNeeded: "Aucun versement n'est exigé pendant la promotion",
	exceptFee:       ", sauf les frais d'administration",
	payInTime: func(monthly string) string {
		return "; pour payer le solde en totalité à temps, versez " + monthly + " par mois"
	},
	ifInTime:    " si le solde est payé à temps",
	aprIfInTime: "Taux annuel du coût d'emprunt (TAC) si le solde est payé à temps",

	regularPurchase: func(amount string) string {
		return "Achat régulier de " + amount + " porté à votre compte renouvelable."
	},
	ratesTogether: func(rate, apr string) string {
		return "Taux d'intérêt annuel" + colon + " " + rate + "; taux annuel du coût d'emprunt (TAC)" + colon + " " + apr + "."
	},
	interestRule: "Des intérêts sont exigés sur tout solde qui n'est pas payé en totalité à la date d'échéance du relevé.",
	minimumPayment: func(monthly, floor string) string {
		return "Versement minimal sur cet achat" + colon + " " + monthly + " par mois (3" + nbsp + "% de l'achat arrondi au cent supérieur, au moins " +
			floor + ", ou la totalité de l'achat s'il est inférieur)."
	},
	byDue:          " si vous payez cet achat en totalité au plus tard à la date d'échéance de votre relevé",
	orElseInterest: "; sinon, des intérêts s'ajoutent.",
}

// ordinalFR is "1er" or "6e", as in "à la fin du 6e mois".
func ordinalFR(n int) string {
	if n == 1 {
		return "1er"
	}
	return strconv.Itoa(n) + "e"
}
