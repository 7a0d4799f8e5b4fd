# mk/ocr.mk: the printed-digits Tesseract model (owned with tesseract/ and ocrtrain/).

.PHONY: ocr-model
ocr-model: ## Retrain tesseract/model/ocra.traineddata from scratch (about an hour on 2 cores; see docs/ocr.md)
	nice -n 10 scripts/train-ocr
