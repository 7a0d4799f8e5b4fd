# mk/linenet.mk: the printed-line reader (package linenet, issue 17).

.PHONY: linenet-model
linenet-model: ## Retrain linenet/model/linenet.onnx from ocrtrain's trained faces (python3-torch; see scripts/train-linenet)
	nice -n 10 scripts/train-linenet
