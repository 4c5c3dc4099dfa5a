// Package customer is what a customer does with their own account after
// the purchase, outside any merchant: signing in to their pages with their
// account number, date of birth and a one-time code, and the messages the
// lender sends them about their account, in their language.
package customer

import (
	"context"
	"log/slog"
	"time"

	"github.com/openflex/openflex"
	"github.com/openflex/openflex/internal/pii"
)

// Message statuses.
const (
	MessageSent     = "sent"
	MessageFailed   = "failed"
	MessageTraining = "training" // TRAINING sends nothing: kept for its inbox
)

// Message kinds besides package pad's.
const (
	MessageStatementReady  = "statement_ready"
	MessagePaymentDue      = "payment_due"
	MessagePaymentReceived = "payment_received"
	MessageStatusChanged   = "status_changed"
)

// Message is one message sent to a customer about their account.
type Message struct {
	ID            string
	AccountNumber string
	Kind          string
	Channel       string // email or sms
	Recipient     string // masked
	Subject       string
	Body          string
	Status        string
	Error         string
	Created       time.Time
}

// Sender delivers a message (internal/notify's Notifier).
type Sender interface {
	Send(ctx context.Context, channel, to, subject, body string) error
}

// MessageStore keeps the messages.
type MessageStore interface {
	Account(ctx context.Context, number string) (*openflex.Account, error)
	Customer(ctx context.Context, id string) (*openflex.Customer, error)
	// RecordAccountMessage keeps m, or updates the message already kept
	// with m's id (a delivery tried again).
	RecordAccountMessage(ctx context.Context, m *Message) error
	// AccountMessages lists an account's messages, newest first.
	AccountMessages(ctx context.Context, number string, limit int) ([]*Message, error)
}

// Messenger sends customers messages about their account by email when
// they gave one, else by text, and keeps each on the account. TRAINING
// never sends (Sender nil): the message is kept, marked training.
type Messenger struct {
	Env    openflex.Environment
	Store  MessageStore
	Sender Sender // nil: nothing is sent (TRAINING, or no provider)
	Now    func() time.Time
	// AccountTime, when set, is the time on an account's clock (a TRAINING
	// test clock's for an account on one): Tell dates messages by it.
	AccountTime func(ctx context.Context, number string) (time.Time, error)
	Log         *slog.Logger
	// Signature ends every message's body: the lender and how to reach it
	// (the server's configured lender, as statements and the PAD
	// agreement name it); "" adds nothing.
	Signature string
}

// Tell sends the account's customer subject and body (already in their
// language) and keeps the message. A failed delivery is kept as failed
// and returned as an error.
func (m *Messenger) Tell(ctx context.Context, number, kind, subject, body string) error {
	at := m.Now()
	if m.AccountTime != nil {
		t, err := m.AccountTime(ctx, number)
		if err != nil {
			return err
		}
		at = t
	}
	return m.Deliver(ctx, openflex.NewID("msg"), number, kind, subject, body, at)
}

// Deliver is Tell for a message whose id and date the caller fixed (a
// servicing message queued with the fact it reports, dated by the
// account's clock). The message is kept under id: delivering it again
// after a failure updates that one message rather than adding another.
func (m *Messenger) Deliver(ctx context.Context, id, number, kind, subject, body string, at time.Time) error {
	acct, err := m.Store.Account(ctx, number)
	if err != nil {
		return err
	}
	cust, err := m.Store.Customer(ctx, acct.CustomerID)
	if err != nil {
		return err
	}
	channel, to, masked := "email", cust.Applicant.Email, pii.MaskEmail(cust.Applicant.Email)
	if to == "" {
		channel, to, masked = "sms", cust.Applicant.Phone, pii.MaskPhone(cust.Applicant.Phone)
	}
	if m.Signature != "" {
		body += "\n\n" + m.Signature
	}
	msg := &Message{ID: id, AccountNumber: number, Kind: kind, Channel: channel, Recipient: masked,
		Subject: subject, Body: body, Status: MessageTraining, Created: at.UTC().Truncate(time.Microsecond)}
	var sendErr error
	if m.Env == openflex.Production {
		msg.Status = MessageSent
		if m.Sender == nil {
			sendErr = openflex.Errorf(openflex.CodeUnavailable, "no %s provider is configured for customer messages", channel)
		} else {
			sendErr = m.Sender.Send(ctx, channel, to, subject, body)
		}
		if sendErr != nil {
			msg.Status, msg.Error = MessageFailed, sendErr.Error()
		}
	}
	if err := m.Store.RecordAccountMessage(ctx, msg); err != nil {
		return err
	}
	return sendErr
}

// MessageWelcome is the message to the holder of a new account.
const MessageWelcome = "welcome"

// Welcome is the message to the holder of a newly opened account, in its
// language: the full account number (sent this once, as the approval page
// shows it once) and how to sign in to their own pages.
func Welcome(acct *openflex.Account) (subject, body string) {
	n := acct.Number
	spaced := n[0:4] + " " + n[4:8] + " " + n[8:12] + " " + n[12:]
	if acct.Language == "fr" {
		return "Bienvenue chez OpenFlex",
			"Votre compte OpenFlex est ouvert. Votre numéro de compte : " + spaced + ". Conservez-le : avec votre date de naissance, il vous permet d’accéder à votre compte en ligne (relevés, paiements, paiements automatiques)."
	}
	return "Welcome to OpenFlex",
		"Your OpenFlex account is open. Your account number: " + spaced + ". Keep it: with your date of birth it signs you in to your account online (statements, payments, automatic payments)."
}
