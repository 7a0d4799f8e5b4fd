# mk/image.mk: the container image (Dockerfile), built and smoke-tested with
# buildah; no Docker engine or registry needed (scripts/image makes the base
# images locally). See docs/operations.md.

.PHONY: image image-test
image: ## build the container image localhost/regfus:latest with buildah
	./scripts/image

image-test: ## build the image, then smoke-test it: serve, a key, a scan and a PDF read in it, size
	./scripts/image-test
