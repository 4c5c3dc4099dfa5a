package checkout

import (
	"errors"
	"fmt"
	"time"

	"github.com/openflex/openflex"
)

// texts holds every string of the hosted pages in English and French.
var texts = map[string][2]string{
	"title":                   {"Pay over time with OpenFlex", "Payez au fil du temps avec OpenFlex"},
	"secure":                  {"Secure checkout · OpenFlex", "Paiement sécurisé · OpenFlex"},
	"order":                   {"Your order at", "Votre commande chez"},
	"total":                   {"Total", "Total"},
	"choose":                  {"How would you like to continue?", "Comment voulez-vous continuer ?"},
	"have_account":            {"I have an OpenFlex account", "J'ai un compte OpenFlex"},
	"have_account_sub":        {"Sign in with your account number and a code we send you.", "Connectez-vous avec votre numéro de compte et un code que nous vous envoyons."},
	"apply":                   {"Apply for financing", "Demander un financement"},
	"apply_sub":               {"A decision in seconds. Checking your rate is part of the application.", "Une décision en quelques secondes."},
	"cancel":                  {"Cancel and return to the store", "Annuler et revenir à la boutique"},
	"back":                    {"Back", "Retour"},
	"continue":                {"Continue", "Continuer"},
	"first_name":              {"First name", "Prénom"},
	"middle_name":             {"Middle name (optional)", "Second prénom (facultatif)"},
	"last_name":               {"Last name", "Nom de famille"},
	"dob":                     {"Date of birth", "Date de naissance"},
	"email":                   {"Email", "Courriel"},
	"phone":                   {"Mobile phone", "Téléphone mobile"},
	"line1":                   {"Street address", "Adresse"},
	"line2":                   {"Apartment, suite (optional)", "Appartement, bureau (facultatif)"},
	"city":                    {"City", "Ville"},
	"province":                {"Province", "Province"},
	"postal_code":             {"Postal code", "Code postal"},
	"income":                  {"Annual income before taxes ($)", "Revenu annuel avant impôts ($)"},
	"employment":              {"Employment", "Emploi"},
	"housing":                 {"Housing", "Logement"},
	"housing_cost":            {"Monthly rent or mortgage ($)", "Loyer ou hypothèque mensuel ($)"},
	"sin":                     {"Social insurance number (optional)", "Numéro d'assurance sociale (facultatif)"},
	"consent_credit":          {"I consent to a credit check by OpenFlex and its credit bureau.", "Je consens à une vérification de crédit par OpenFlex et son bureau de crédit."},
	"consent_terms":           {"I have read the credit agreement above and accept it.", "J'ai lu la convention de crédit ci-dessus et je l'accepte."},
	"agreement.title":         {"Credit agreement", "Convention de crédit"},
	"agreement.figures":       {"Key figures", "Chiffres clés"},
	"agreement.text":          {"The full agreement", "La convention complète"},
	"agreement.rate":          {"Annual interest rate on regular purchases", "Taux d'intérêt annuel sur les achats réguliers"},
	"agreement.minimum":       {"Minimum monthly payment", "Paiement mensuel minimum"},
	"agreement.minimum_value": {"%s of the balance, at least %s (or the whole balance if less)", "%s du solde, au moins %s (ou le solde entier s'il est moindre)"},
	"agreement.grace":         {"Interest-free grace period", "Délai de grâce sans intérêt"},
	"agreement.grace_value":   {"%d days from the statement, when you pay its full balance", "%d jours après le relevé, si vous en payez le solde complet"},
	"agreement.annual_fee":    {"Annual fee", "Frais annuels"},
	"agreement.returned_fee":  {"Returned payment fee", "Frais de paiement refusé"},
	"agreement.none":          {"None", "Aucuns"},
	"agreement.plans":         {"Promotional plans", "Plans promotionnels"},
	"agreement.plans_value":   {"Their rate, fees and APR are shown before you choose one", "Leur taux, leurs frais et leur TAC sont affichés avant que vous en choisissiez un"},
	"submit_apply":            {"Submit application", "Soumettre la demande"},
	"amount_invalid":          {"Enter an amount in dollars, such as 72000 or 1650.50.", "Entrez un montant en dollars, comme 72000 ou 1650,50."},
	"fix_errors":              {"Please correct the highlighted fields.", "Veuillez corriger les champs indiqués."},
	"approved":                {"You're approved!", "Vous êtes approuvé !"},
	"approved_sub":            {"Your credit limit is", "Votre limite de crédit est de"},
	"pending":                 {"We're reviewing your application", "Nous examinons votre demande"},
	"pending_sub":             {"We'll let you know by email. You can return to the store and choose another way to pay.", "Nous vous informerons par courriel. Vous pouvez revenir à la boutique et choisir un autre mode de paiement."},
	"declined":                {"We can't offer you financing right now", "Nous ne pouvons pas vous offrir de financement pour le moment"},
	"retry":                   {"We couldn't finish your credit check", "Nous n'avons pas pu terminer votre vérification de crédit"},
	"retry_sub":               {"Please try again in a moment.", "Veuillez réessayer dans un instant."},
	"try_again":               {"Try again", "Réessayer"},
	"account_number":          {"Account number (14 digits)", "Numéro de compte (14 chiffres)"},
	"or_find":                 {"Don't have your number? Find your account", "Vous n'avez pas votre numéro ? Trouvez votre compte"},
	"send_code":               {"Send me a code", "Envoyez-moi un code"},
	"existing_account":        {"You already have an OpenFlex account. To use it here, enter the code we sent you.", "Vous avez déjà un compte OpenFlex. Pour l'utiliser ici, entrez le code que nous vous avons envoyé."},
	"code_sent":               {"We sent a 6-digit code to", "Nous avons envoyé un code à 6 chiffres à"},
	"code":                    {"Verification code", "Code de vérification"},
	"verify":                  {"Verify", "Vérifier"},
	"not_found":               {"We couldn't find an account with these details.", "Nous n'avons trouvé aucun compte correspondant."},
	"too_many_codes":          {"Too many codes were sent or tried for this account recently. Please try again %s.", "Trop de codes ont été envoyés ou essayés pour ce compte récemment. Réessayez %s."},
	"plans":                   {"Choose how to pay", "Choisissez comment payer"},
	"per_month":               {"/month", "/mois"},
	"apr":                     {"APR", "TAC"},
	"label_sep":               {": ", "\u00a0: "},
	"interest":                {"Interest", "Intérêt"},
	"admin_fee":               {"Fee", "Frais"},
	"admin_fee_monthly":       {"Monthly fee", "Frais mensuels"},
	"cost":                    {"Cost of borrowing", "Coût d'emprunt"},
	"no_options":              {"No financing option fits this purchase. Your available credit may be too low.", "Aucune option de financement ne convient à cet achat. Votre crédit disponible est peut-être insuffisant."},
	"disclosure":              {"Cost of borrowing disclosure", "Divulgation du coût d'emprunt"},
	"monthly_payment":         {"Monthly payment", "Paiement mensuel"},
	"first_payment":           {"First payment", "Premier paiement"},
	"revolving":               {"Revolving credit at", "Crédit renouvelable à"},
	"annual_rate":             {"annual interest", "d'intérêt annuel"},
	"confirm":                 {"Review and confirm", "Vérifiez et confirmez"},
	"plan":                    {"Plan", "Plan"},
	"account":                 {"Account", "Compte"},
	"confirm_button":          {"Confirm purchase", "Confirmer l'achat"},
	"done":                    {"Purchase confirmed", "Achat confirmé"},
	"done_sub":                {"Your purchase is authorized on your OpenFlex account. Nothing more to do here.", "Votre achat est autorisé sur votre compte OpenFlex. Vous n'avez plus rien à faire ici."},
	"cancelled":               {"Checkout cancelled", "Paiement annulé"},
	"cancelled_sub":           {"Nothing was charged to your OpenFlex account.", "Rien n'a été porté à votre compte OpenFlex."},
	"auto_return":             {"Taking you back to the store in a few seconds.", "Retour à la boutique dans quelques secondes."},
	"stay":                    {"Stay on this page", "Rester sur cette page"},
	"stayed":                  {"You are staying on this page. Use the button above to go back to the store.", "Vous restez sur cette page. Utilisez le bouton ci-dessus pour retourner à la boutique."},
	"return":                  {"Return to the store", "Retourner à la boutique"},
	"closed":                  {"This checkout is no longer open", "Cette session de paiement n'est plus ouverte"},
	"expired":                 {"This checkout has expired. Please start again from the store.", "Cette session a expiré. Veuillez recommencer depuis la boutique."},
	"language":                {"Français", "English"},
	"select":                  {"Select…", "Choisir…"},
	"employed":                {"Employed", "Salarié"},
	"self_employed":           {"Self-employed", "Travailleur autonome"},
	"retired":                 {"Retired", "Retraité"},
	"student":                 {"Student", "Étudiant"},
	"unemployed":              {"Not employed", "Sans emploi"},
	"other":                   {"Other", "Autre"},
	"own":                     {"Own", "Propriétaire"},
	"rent":                    {"Rent", "Locataire"},
	"live_with_family":        {"Live with family", "Chez la famille"},
	"error_title":             {"Error", "Erreur"},
	"items":                   {"Items", "Articles"},
	"quantity":                {"Quantity", "Quantité"},
	"acct_number":             {"Your account number:", "Votre numéro de compte\u00a0:"},
	"acct_keep":               {"Write it down: we show it only now. With your date of birth it signs you in to your account online, to see your statements and pay.", "Notez-le : nous ne l’affichons qu’une fois. Avec votre date de naissance, il vous permet d’accéder à votre compte en ligne pour voir vos relevés et payer."},

	// Shopper wording of form errors: what to do, never an API field path.
	"err.missing":                   {"This field is required.", "Ce champ est obligatoire."},
	"err.invalid":                   {"Check this value.", "Vérifiez cette valeur."},
	"err.code":                      {"This code is not valid or has expired. Check it, or ask for a new one.", "Ce code n'est pas valide ou a expiré. Vérifiez-le ou demandez-en un nouveau."},
	"err.insufficient_credit":       {"Your available credit is too low for this purchase.", "Votre crédit disponible est insuffisant pour cet achat."},
	"err.first_name.missing":        {"Enter your first name.", "Entrez votre prénom."},
	"err.first_name":                {"Enter your first name using letters, spaces, hyphens or apostrophes (50 at most).", "Entrez votre prénom avec des lettres, espaces, traits d'union ou apostrophes (50 au plus)."},
	"err.middle_name":               {"Enter your middle name using at most 50 characters.", "Entrez votre second prénom en 50 caractères au plus."},
	"err.last_name.missing":         {"Enter your last name.", "Entrez votre nom de famille."},
	"err.last_name":                 {"Enter your last name using letters, spaces, hyphens or apostrophes (50 at most).", "Entrez votre nom de famille avec des lettres, espaces, traits d'union ou apostrophes (50 au plus)."},
	"err.date_of_birth.missing":     {"Enter your date of birth.", "Entrez votre date de naissance."},
	"err.date_of_birth":             {"Enter a real date of birth. You must have reached the age of majority in your province.", "Entrez une vraie date de naissance. Vous devez avoir atteint l'âge de la majorité dans votre province."},
	"err.email.missing":             {"Enter your email address.", "Entrez votre adresse courriel."},
	"err.email":                     {"Enter an email address such as name@example.com.", "Entrez une adresse courriel comme nom@exemple.com."},
	"err.phone.missing":             {"Enter your mobile phone number.", "Entrez votre numéro de téléphone mobile."},
	"err.phone":                     {"Enter a 10-digit phone number such as 416-555-0199.", "Entrez un numéro à 10 chiffres comme 514-555-0199."},
	"err.line1.missing":             {"Enter your street address.", "Entrez votre adresse."},
	"err.line1":                     {"Enter your street address in at most 100 characters.", "Entrez votre adresse en 100 caractères au plus."},
	"err.line2":                     {"Enter the apartment or suite in at most 100 characters.", "Entrez l'appartement ou le bureau en 100 caractères au plus."},
	"err.city.missing":              {"Enter your city.", "Entrez votre ville."},
	"err.city":                      {"Enter your city in at most 50 characters.", "Entrez votre ville en 50 caractères au plus."},
	"err.province.missing":          {"Choose your province or territory.", "Choisissez votre province ou territoire."},
	"err.province":                  {"Choose your province or territory.", "Choisissez votre province ou territoire."},
	"err.postal_code.missing":       {"Enter your postal code.", "Entrez votre code postal."},
	"err.postal_code":               {"Enter a postal code such as K1A 0B1, in the province you chose.", "Entrez un code postal comme H2X 1Y4, dans la province choisie."},
	"err.annual_income.missing":     {"Enter your annual income before taxes.", "Entrez votre revenu annuel avant impôts."},
	"err.annual_income":             {"Enter an amount in dollars, such as 72000 or 1650.50.", "Entrez un montant en dollars, comme 72000 ou 1650,50."},
	"err.employment_status.missing": {"Choose your employment.", "Choisissez votre emploi."},
	"err.employment_status":         {"Choose your employment.", "Choisissez votre emploi."},
	"err.housing_status.missing":    {"Choose your housing.", "Choisissez votre logement."},
	"err.housing_status":            {"Choose your housing.", "Choisissez votre logement."},
	"err.monthly_housing_cost":      {"Enter an amount in dollars, such as 1650.50 (0 if none).", "Entrez un montant en dollars, comme 1650,50 (0 si aucun)."},
	"err.sin":                       {"Enter a valid 9-digit social insurance number, or leave it empty.", "Entrez un numéro d'assurance sociale valide de 9 chiffres, ou laissez le champ vide."},
	"err.consent_credit_check":      {"To apply, agree to the credit check.", "Pour faire une demande, acceptez la vérification de crédit."},
	"err.consent_terms_accepted":    {"To apply, accept the credit agreement terms.", "Pour faire une demande, acceptez les conditions de la convention de crédit."},
	"training":                      {"TRAINING — test mode: no real credit check, no real money.", "FORMATION — mode test : aucune vraie vérification de crédit, aucun argent réel."},
}

func t(lang, key string) string {
	v, ok := texts[key]
	if !ok {
		return key
	}
	return pick(v, lang)
}

func pick(v [2]string, lang string) string {
	if lang == "fr" {
		return v[1]
	}
	return v[0]
}

// tooManyCodes is the refusal of a verification limit, saying when the
// shopper may try again ("in 7 minutes").
func tooManyCodes(lang string, err error) string {
	return fmt.Sprintf(t(lang, "too_many_codes"), openflex.RetryIn(retryAfter(err), lang))
}

// retryAfter is how long a rate_limited error asks to wait.
func retryAfter(err error) time.Duration {
	var e *openflex.Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
