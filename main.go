// Command kamflow runs the KAM introduction workflow engine.
package main

import (
	"os"

	"github.com/kamflow/kamflow/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
