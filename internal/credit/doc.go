// Package credit decides credit applications: it checks an applicant before
// any bureau is asked, asks a bureau, and applies the lender's policy.
//
// The flow of one application (the application service drives it):
//
//  1. ValidateApplicant normalises the applicant and reports every problem
//     at once (age of majority by province, postal code against province,
//     phone, email, SIN check digit, both consents), so that a bad request
//     never costs the applicant a hard inquiry.
//  2. A Bureau answers an Inquiry, which carries the recorded consent, with
//     a Report: hit or no file, score 300–900, fraud alert.
//  3. Policy.Decide turns the Report and the declared income and housing
//     cost into a Decision: approved (risk category and limit), pending for
//     review by lender staff, or declined, with reason codes whose messages
//     (English and French, ReasonMessage) are fit to show shoppers.
//
// Bureaus. Each environment carries its own: TRAINING the deterministic
// Simulator, whose magic middle names (MagicNames) pick an outcome;
// PRODUCTION the HTTP adapter of package credit/httpbureau, which forwards
// every name untouched. A bureau that cannot answer returns an error
// wrapping ErrUnavailable, which the API renders as 503 bureau_unavailable:
// an unanswered inquiry is never an approval. The Simulator's ErrTimeout is
// the one exception, mapped to an application with status retry so
// integrations can rehearse it.
//
// Money is integer cents and ratios are integer basis points (Ratio): no
// floating point decides credit. The package speaks neither HTTP nor SQL;
// its callers own transport and storage.
package credit
