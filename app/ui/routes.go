package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Routes tells go-app which component renders which path. The browser app
// and the server (which prerenders the page) both call it.
func Routes() {
	app.Route("/", func() app.Composer { return &Page{} })
	app.Route("/csp", func() app.Composer { return &Lab{} }) // the CSP lab: the server answers 404 here without -csp-lab
}
