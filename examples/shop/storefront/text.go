package storefront

import (
	"strconv"
	"strings"
)

// formatCents renders cents as Canadian dollars, exactly (no floats):
// 129999 is "$1,299.99" in English and "1 299,99 $" in French.
func formatCents(cents int64, lang string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	sep := ","
	if lang == "fr" {
		sep = "\u00a0"
	}
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	frac := strconv.FormatInt(cents%100+100, 10)[1:]
	if lang == "fr" {
		return sign + b.String() + "," + frac + "\u00a0$"
	}
	return sign + "$" + b.String() + "." + frac
}

func language(l string) string {
	if l == "fr" {
		return "fr"
	}
	return "en"
}

// texts are the shopper-facing words of the store, in English and French.
var texts = map[string]map[string]string{
	"en": {
		"language_name":   "English",
		"store":           "Maple Furniture",
		"tagline":         "Solid wood furniture, made in Canada",
		"product_name":    "Harbour oak dining table",
		"product_desc":    "Solid white oak, seats six. Finished by hand in Kitchener, Ontario, with a natural oil that ages beautifully.",
		"price_note":      "Free delivery in the GTA. Taxes calculated at checkout.",
		"pay":             "Pay with OpenFlex",
		"pay_note":        "Pay over time. Checking your options takes a minute and shows the cost of borrowing up front.",
		"untrusted":       "Shop set-up: {origin} is not a Trust URL of this shop's OpenFlex keys, so OpenFlex hides the monthly price and refuses checkouts. Add it in the OpenFlex portal (Keys → Trust URLs) or with POST /v1/key_set/trust.",
		"checkout_failed": "We couldn't start the OpenFlex checkout. Please try again.",
		"thanks":          "Thank you for your order!",
		"thanks_sub":      "OpenFlex approved your financing. We'll charge your OpenFlex account when your table ships.",
		"order":           "Order",
		"total":           "Total",
		"financing":       "Financing",
		"months":          "months with OpenFlex",
		"authorization":   "OpenFlex authorization",
		"status":          "Payment status",
		"continue":        "Continue shopping",
		"cart":            "Your cart",
		"not_paid":        "Your OpenFlex checkout was cancelled, so nothing was charged. Your cart is still here.",
		"try_again":       "Try OpenFlex again",
		"openflex_down":   "We couldn't reach OpenFlex to check your payment. Please try again in a moment.",
		"qty":             "Qty 1",
		"orders":          "Orders",
		"no_orders":       "No orders yet.",
		"ship":            "Ship and capture",
		"shipped_notice":  "shipped: OpenFlex captured the payment.",

		"status_awaiting_payment": "Awaiting payment",
		"status_paid":             "Authorized: charged when it ships",
		"status_cancelled":        "Cancelled",
		"status_shipped":          "Shipped and charged",
	},
	"fr": {
		"language_name":   "Français",
		"store":           "Meubles Maple",
		"tagline":         "Meubles en bois massif, fabriqués au Canada",
		"product_name":    "Table à manger Harbour en chêne",
		"product_desc":    "Chêne blanc massif, six places. Finie à la main à Kitchener, en Ontario, avec une huile naturelle qui vieillit magnifiquement.",
		"price_note":      "Livraison gratuite dans la région de Toronto. Taxes calculées au paiement.",
		"pay":             "Payer avec OpenFlex",
		"pay_note":        "Payez au fil du temps. Voir vos options prend une minute et affiche le coût d'emprunt dès le départ.",
		"untrusted":       "Configuration de la boutique : {origin} n'est pas une Trust URL des clés OpenFlex de cette boutique; OpenFlex masque donc le prix mensuel et refuse les paiements. Ajoutez-la dans le portail OpenFlex (Clés → Trust URLs) ou avec POST /v1/key_set/trust.",
		"checkout_failed": "Nous n'avons pas pu ouvrir le paiement OpenFlex. Veuillez réessayer.",
		"thanks":          "Merci de votre commande!",
		"thanks_sub":      "OpenFlex a approuvé votre financement. Nous débiterons votre compte OpenFlex à l'expédition de votre table.",
		"order":           "Commande",
		"total":           "Total",
		"financing":       "Financement",
		"months":          "mois avec OpenFlex",
		"authorization":   "Autorisation OpenFlex",
		"status":          "État du paiement",
		"continue":        "Continuer vos achats",
		"cart":            "Votre panier",
		"not_paid":        "Votre paiement OpenFlex a été annulé : rien n'a été débité. Votre panier vous attend.",
		"try_again":       "Réessayer OpenFlex",
		"openflex_down":   "Nous n'avons pas pu joindre OpenFlex pour vérifier votre paiement. Veuillez réessayer dans un instant.",
		"qty":             "Qté 1",
		"orders":          "Commandes",
		"no_orders":       "Aucune commande pour l'instant.",
		"ship":            "Expédier et débiter",
		"shipped_notice":  "expédiée : OpenFlex a débité le paiement.",

		"status_awaiting_payment": "En attente de paiement",
		"status_paid":             "Autorisé : débité à l'expédition",
		"status_cancelled":        "Annulée",
		"status_shipped":          "Expédiée et débitée",
	},
}
