// Package servicing is the pure domain of servicing a credit account after
// the purchase: segments, daily interest, billing cycles and statements,
// minimum payments, payment allocation and reversal, the account's
// standing, and the criminal-rate cap on plans. It does no I/O and never
// reads the clock: every step takes the day it applies to, as a civil
// [Date] in the account's province, and returns the postings the engine
// must write to the ledger.
//
// # The model
//
// An [Account] holds a set of [Segment]s: one revolving segment (the
// regular balance, id [RevolvingID]) and one per equal-payment or deferred
// purchase, with the schedule, rate and dates of the quote the customer
// accepted. Each segment owes three buckets: principal, billed interest
// and fees. A credit balance (money the lender owes the customer) and a
// charged-off balance are held on the account, outside any segment.
//
// The engine drives an Account with:
//
//   - [Account.Purchase], [Account.Return]: a capture lands in its segment
//     (a FeeTotal admin fee is posted with it); a return reduces the
//     purchase's own segment, any excess becoming a credit balance.
//   - [Account.Pay], [Account.Reverse]: a payment is allocated (fees and
//     interest first, then what is due on each segment, then the highest
//     rate); a reversal undoes exactly that allocation, plus the lender's
//     NSF fee when configured.
//   - [Account.SetStatus]: staff actions (freeze, unfreeze, close), checked
//     against the allowed transitions.
//   - [Account.EndDay]: run once per account and civil day, after that
//     day's purchases and payments: it accrues the day's interest, closes
//     the cycle and builds the [Statement] on the statement day, applies
//     the due date (grace kept or lost, missed instalments, promotions
//     cancelled), expires deferred plans and moves the standing.
//
// Every one of them returns [Posting]s: signed changes, in cents, to what
// the customer owes in one bucket of one segment (or the account's credit
// or charged-off balance), each with a [Reason]. Interest and fees are new
// money (the engine books the income leg); a payment's postings sum to
// minus the payment; moves between segments and to charge-off sum to zero.
// The engine turns each call's postings into one balanced ledger
// transaction, in the same database transaction as the saved Account.
//
// An Account is a plain value the engine can store (JSON of its exported
// fields) between days. [Replay] rebuilds it, and every statement, from the
// account's history ([Event]s derived from the ledger), which is how
// `openflex verify` checks what was stored.
//
// # Interest
//
// Interest accrues daily as balance × annual rate / 365 (also in leap
// years: the rate is disclosed per 365-day year), on each segment's balance
// at the end of each day, the posting day counted. The sum is kept exactly
// as an integer (balance-days × rate in thousandths of a percent) per
// segment, and turned into cents once, half up, when it is charged. A
// revolving purchase pays no interest when the previous statement's balance
// is paid in full by its due date; otherwise its interest runs from its
// posting date. Equal-payment segments charge the interest of their
// schedule. A deferred segment accrues from its purchase date; the accrual
// is waived if the segment is paid in full by the end of its expiry day,
// otherwise (the default, [DeferredRetroactive]) it is charged at expiry and
// the balance moves to the revolving segment.
//
// # Statements and plans
//
// A [Statement] is data: everything the provincial lists ask for, built by
// EndDay on the statement day. [Render] writes it as plain text in English
// or French; a page or a PDF lays out the same data. [EstimateRepayment]
// is its "time to repay at the minimum". [CheckCriminalRate] refuses plan
// terms that cost more than 35 % a year at an amount the plan allows;
// internal/plans calls it when a plan is created.
//
// # Dates
//
// A [Date] is a civil date. [DayOf] maps an instant to the date in a
// province's time zone, and [DayBounds] gives the instants a date spans
// (23 or 25 hours across a DST change), so the engine can decide when a
// province's day is over. Due dates move to the next business day of the
// province, with statutory holidays from github.com/rickar/cal/v2.
package servicing
