// Command shop is a tiny merchant store that takes payment with OpenFlex
// financing: the "Add OpenFlex to your store" guide (docs/checkout.md)
// walks through it. Try it against a demo server:
//
//	go run ./cmd/openflex serve --demo      # prints a client_id and client_secret
//	OPENFLEX_CLIENT_ID=ofk_train_… OPENFLEX_CLIENT_SECRET=ofs_train_… go run ./examples/shop
//
// then open http://localhost:3000 (the demo key set trusts that origin).
//
// Settings come from flags or the environment: OPENFLEX_URL,
// OPENFLEX_CLIENT_ID, OPENFLEX_CLIENT_SECRET (environment only: a flag
// would show the secret to anyone who lists processes), OPENFLEX_STORE_ID
// (default: the merchant's first store), SHOP_ADDR and SHOP_PUBLIC_URL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/openflex/openflex/examples/shop/storefront"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg := storefront.Config{ClientSecret: os.Getenv("OPENFLEX_CLIENT_SECRET")}
	flag.StringVar(&cfg.OpenFlexURL, "openflex-url", env("OPENFLEX_URL", "http://127.0.0.1:8080"), "OpenFlex server URL")
	flag.StringVar(&cfg.ClientID, "client-id", os.Getenv("OPENFLEX_CLIENT_ID"), "OpenFlex Client ID (the secret comes from OPENFLEX_CLIENT_SECRET)")
	flag.StringVar(&cfg.StoreID, "store-id", os.Getenv("OPENFLEX_STORE_ID"), "OpenFlex store ID (default: the merchant's first store)")
	addr := flag.String("addr", env("SHOP_ADDR", "localhost:3000"), "listen address")
	flag.StringVar(&cfg.PublicURL, "public-url", os.Getenv("SHOP_PUBLIC_URL"), "URL shoppers use to reach the shop, a Trust URL of the key set (default http://ADDR)")
	flag.Parse()
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return errors.New("set OPENFLEX_CLIENT_ID and OPENFLEX_CLIENT_SECRET (go run ./cmd/openflex serve --demo prints them)")
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + *addr
	}
	cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	if cfg.StoreID == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		id, err := storefront.FirstStore(ctx, cfg)
		cancel()
		if err != nil {
			return fmt.Errorf("find a store: %w", err)
		}
		cfg.StoreID = id
	}
	shop, err := storefront.New(cfg)
	if err != nil {
		return err
	}
	log.Printf("Maple Furniture on %s (OpenFlex %s, store %s)", cfg.PublicURL, cfg.OpenFlexURL, cfg.StoreID)
	srv := &http.Server{Addr: *addr, Handler: shop, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
