// Command app is the browser side of e2eecall, compiled to WebAssembly.
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"e2eecall/app/ui"
)

func main() {
	ui.Routes()
	app.RunWhenOnBrowser()
}
