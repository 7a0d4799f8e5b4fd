# mk/icr.mk: the handwritten character model (package icr, issue 12).

.PHONY: icr-model
icr-model: ## Retrain the icr ensemble (icr/model/net-*.onnx, icr.json) from MNIST's train split and generated glyphs (python3-torch; see scripts/train-icr)
	nice -n 10 scripts/train-icr
