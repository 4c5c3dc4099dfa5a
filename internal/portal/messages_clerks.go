package portal

// clerkMessages are the texts of the Clerks page and the invitation
// (issue 28): English, then French.
var clerkMessages = map[string][2]string{
	"clerks.title":         {"Clerks", "Commis"},
	"clerks.intro":         {"Store clerks sign in to the till of the stores you choose, and see nothing else: no keys, webhooks, settlements, audit log or other stores. Invite each one by email; the email carries a one-time link, valid for a week, where they choose a password.", "Les commis se connectent à la caisse des magasins que vous choisissez et ne voient rien d’autre : ni clés, ni webhooks, ni règlements, ni journal d’audit, ni autres magasins. Invitez chacun par courriel ; le courriel contient un lien à usage unique, valide une semaine, où il choisit un mot de passe."},
	"clerks.invite":        {"Invite a clerk", "Inviter un commis"},
	"clerks.stores":        {"Stores", "Magasins"},
	"clerks.invite_button": {"Send the invitation", "Envoyer l’invitation"},
	"clerks.list":          {"Your clerks", "Vos commis"},
	"clerks.none":          {"No clerks yet.", "Aucun commis pour l’instant."},
	"clerks.pending":       {"invited, no password yet", "invité, pas encore de mot de passe"},
	"clerks.active":        {"active", "actif"},
	"clerks.remove":        {"Remove", "Retirer"},
	"clerks.remove_label":  {"Remove %s", "Retirer %s"},
	"clerks.err_stores":    {"Choose at least one of your stores.", "Choisissez au moins un de vos magasins."},
	"clerks.err_taken":     {"An account already uses this email.", "Un compte utilise déjà ce courriel."},
	"done.invited":         {"The invitation is sent.", "L’invitation est envoyée."},
	"done.removed":         {"The clerk is removed and signed out.", "Le commis est retiré et déconnecté."},
	"done.invite_accepted": {"Your password is set. Log in to open the till.", "Votre mot de passe est défini. Connectez-vous pour ouvrir la caisse."},
	"invite.title":         {"Join your store’s till", "Rejoindre la caisse de votre magasin"},
	"invite.intro":         {"Choose the password you will sign in with.", "Choisissez le mot de passe avec lequel vous vous connecterez."},
	"invite.button":        {"Set my password", "Définir mon mot de passe"},
	"invite.bad_link":      {"This invitation link is invalid, already used or expired. Ask the store’s manager for a new invitation.", "Ce lien d’invitation est invalide, déjà utilisé ou expiré. Demandez une nouvelle invitation au gérant du magasin."},
	"mail.invite_subject":  {"You are invited to your store’s OpenFlex till", "Vous êtes invité à la caisse OpenFlex de votre magasin"},
	"mail.invite_body":     {"You are invited to sell with OpenFlex financing at your store’s till. To choose your password:\n\n%s\n\nThe link works once, for a week.", "Vous êtes invité à vendre avec le financement OpenFlex à la caisse de votre magasin. Pour choisir votre mot de passe :\n\n%s\n\nLe lien fonctionne une fois, pendant une semaine."},
}
