# mk/icr.mk: the handwritten character model (package icr, issue 12).

.PHONY: icr-model
icr-model: ## Retrain icr/model/icr.onnx from MNIST's train split and generated glyphs (python3-torch; see scripts/train-icr)
	nice -n 10 scripts/train-icr
