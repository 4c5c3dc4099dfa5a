// Package merchant onboards merchants and their stores and records the
// lender's go-live approval.
package merchant

import (
	"context"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openflex/openflex"
)

// Store is the control-plane storage onboarding needs.
type Store interface {
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	CreateMerchant(ctx context.Context, m *openflex.Merchant) error
	CreateStore(ctx context.Context, s *openflex.Store) error
	ApproveMerchant(ctx context.Context, id string, at time.Time) error
	Audit(ctx context.Context, e openflex.AuditEntry) error
}

// Service onboards merchants.
type Service struct {
	Store Store
	Now   func() time.Time
}

// NewStore describes a store to open.
type NewStore struct {
	Name               string
	Province           openflex.Province
	ExternalLocationID string
	TimeZone           string // default: the province's
}

// Create validates and stores a merchant with its stores, all or nothing
// (parameter_missing / parameter_invalid, every problem at once).
func (s *Service) Create(ctx context.Context, name, email string, stores []NewStore, actor string) (*openflex.Merchant, []openflex.Store, error) {
	var probs openflex.Problems
	name, email = strings.TrimSpace(name), strings.TrimSpace(email)
	switch {
	case name == "":
		probs.Missing("name")
	case utf8.RuneCountInString(name) > 200:
		probs.Invalid("name", "name must be at most 200 characters")
	}
	if email == "" {
		probs.Missing("email")
	} else if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		probs.Invalid("email", "email must be an address such as dev@shop.example")
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	m := &openflex.Merchant{ID: openflex.NewID(openflex.PrefixMerchant), Name: name, Email: email, Created: now}
	var out []openflex.Store
	for i, ns := range stores {
		param := "stores[" + strconv.Itoa(i) + "]"
		if strings.TrimSpace(ns.Name) == "" {
			probs.Missing(param + ".name")
		}
		if !ns.Province.Valid() {
			probs.Invalid(param+".province", "province must be a Canadian province or territory code such as ON")
			continue
		}
		tz := ns.TimeZone
		if tz == "" {
			tz = ns.Province.TimeZone()
		} else if _, err := openflex.LoadZone(tz); err != nil {
			probs.Invalid(param+".time_zone", "time_zone must be an IANA zone such as America/Toronto")
		}
		out = append(out, openflex.Store{ID: openflex.NewID(openflex.PrefixStore), MerchantID: m.ID, Name: strings.TrimSpace(ns.Name),
			ExternalLocationID: ns.ExternalLocationID, Province: ns.Province, TimeZone: tz, Status: openflex.StoreActive, Created: now})
	}
	if err := probs.Err(); err != nil {
		return nil, nil, err
	}
	err := s.Store.Write(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateMerchant(ctx, m); err != nil {
			return err
		}
		for i := range out {
			if err := s.Store.CreateStore(ctx, &out[i]); err != nil {
				return err
			}
		}
		return s.Store.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: now, Actor: actor, Action: "merchant.created", MerchantID: m.ID, ObjectID: m.ID})
	})
	if err != nil {
		return nil, nil, err
	}
	return m, out, nil
}

// Approve records go-live: the merchant may now hold PRODUCTION keys.
func (s *Service) Approve(ctx context.Context, id, actor string) error {
	now := s.Now().UTC().Truncate(time.Microsecond)
	return s.Store.Write(ctx, func(ctx context.Context) error {
		if err := s.Store.ApproveMerchant(ctx, id, now); err != nil {
			return err
		}
		return s.Store.Audit(ctx, openflex.AuditEntry{ID: openflex.NewID("aud"), At: now, Actor: actor, Action: "merchant.go_live_approved", MerchantID: id, ObjectID: id})
	})
}
