# mk/ocr.mk: the printed-digits Tesseract model (owned with tesseract/ and ocrtrain/).

.PHONY: ocr-model ocr-model-multiface
ocr-model: ## Retrain tesseract/model/ocra.traineddata (OCR-A) with the recipe it was made by (commit b25d3db; see docs/ocr.md)
	nice -n 10 scripts/ocr-model-ocra

ocr-model-multiface: ## The multi-face Tesseract recipe (does not converge yet; see docs/ocr.md)
	nice -n 10 scripts/train-ocr
