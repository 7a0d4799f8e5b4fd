# The web interface's screenshots (docs/ui/): the browser tests of package
# ui take them as they go (chromium, headless) when UI_SCREENSHOTS names a
# folder. Each screen at 1280 px wide, the self-check also at 390 px.

screenshots: ## regenerate the web interface's screenshots in docs/ui/ (runs the browser tests)
	mkdir -p docs/ui
	UI_SCREENSHOTS=$(CURDIR)/docs/ui $(GO) test ./ui/ -run 'TestBrowser' -count=1

.PHONY: screenshots
