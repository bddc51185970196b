package main

import (
	"testing"

	"lmsproxy/translate"
)

// TestREADMETranslationTable keeps the README's error translation table
// generated from translate's table, the one the proxy applies.
func TestREADMETranslationTable(t *testing.T) {
	syncREADMESection(t, "translation-table", translate.RenderMarkdownTable())
}
