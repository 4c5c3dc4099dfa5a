// Package finance computes the figures OpenFlex shows a customer before a
// purchase is financed: equal-payment schedules, deferred ("no interest if
// paid in full") plans, revolving minimum payments, administration fees, the
// annual percentage rate (APR) under Canada's Cost of Borrowing rule, and the
// plain-language disclosure in English or French.
//
// Everything here is a pure function of its arguments: no I/O, no clock, no
// mutable package state. Money is int64 cents and rates are exact
// thousandths of a percent ([Percent]); intermediate values that are not
// whole cents (the level payment, the average principal, the APR) are
// computed exactly with math/big or 128-bit integer arithmetic and rounded
// once, by the rule stated on the function that rounds them. No value ever
// passes through floating point.
//
// Rounding rules, in one place:
//
//   - Level payment of an equal-payment plan: the annuity payment
//     P·i/(1−(1+i)^−N), i = annual rate/12, rounded half-up to the cent; at
//     0 % it is P/N rounded down. See [NewQuote] for the rare tiny-amount case.
//   - Monthly interest: balance × i, rounded half-up to the cent.
//   - The last payment absorbs every rounding difference, so a schedule sums
//     exactly to principal + interest + fees.
//   - Deferred plans: the pay-in-time instalment is P/N rounded up; the
//     interest charged if nothing is paid is simple interest
//     P × rate × N/12, rounded half-up.
//   - Revolving minimum payment: 3 % of the purchase rounded up, at least
//     $10.00, at most the purchase.
//   - APR: C/(T×P)×100 rounded half-up to the nearest 1/8 % (see [APR]).
package finance
