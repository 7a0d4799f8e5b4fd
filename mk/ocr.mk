# mk/ocr.mk: the OCR-A Tesseract model (owned with tesseract/ and ocrtrain/).

.PHONY: ocr-model
ocr-model: ## Retrain tesseract/model/ocra.traineddata from scratch (~15 min on 2 cores; see scripts/train-ocr)
	scripts/train-ocr
