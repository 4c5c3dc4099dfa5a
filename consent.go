package openflex

import "time"

// How a customer gave a merchant consent to post purchases on their
// account.
const (
	ConsentByCheckout     = "checkout"     // completed a checkout with the merchant
	ConsentByVerification = "verification" // gave a code with an online authorization
	ConsentByApplication  = "application"  // opened the account by applying through the merchant
)

// Who revoked a consent.
const (
	RevokedByCustomer = "customer" // through a verification-protected call
	RevokedByMerchant = "merchant" // the merchant gave up its own consent
	RevokedByStaff    = "staff"    // the lender's staff
)

// AccountConsent is a customer's standing permission for one merchant to
// post online purchases on their account without a new code each time (a
// card on file). An account number alone never moves money: without an
// active consent an online purchase needs a passed verification, and
// in-store purchases need one every time.
type AccountConsent struct {
	ID             string
	AccountNumber  string
	MerchantID     string
	Source         string // ConsentBy…
	CheckoutID     string // Source checkout
	VerificationID string // Source verification
	ApplicationID  string // Source application
	Created        time.Time
	RevokedAt      time.Time // zero while active
	RevokedBy      string    // RevokedBy…
	RevokeReason   string
}

// Active reports whether the consent still allows purchases.
func (c *AccountConsent) Active() bool { return c.RevokedAt.IsZero() }
