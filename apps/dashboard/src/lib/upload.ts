/** Percent of an upload done, 0..100; unknown totals count as 0 until the end. */
export function progressPercent(loaded: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.floor((loaded / total) * 100));
}

const byExtension: Record<string, string> = {
  txt: "text/plain",
  md: "text/markdown",
  markdown: "text/markdown",
  html: "text/html",
  htm: "text/html",
  pdf: "application/pdf",
  glb: "model/gltf-binary",
  vrm: "model/vrm",
};

/** The browser's type for a file, or one from its extension when the browser has none (.md, .vrm). */
export function contentTypeOf(file: { name: string; type: string }): string {
  if (file.type) return file.type;
  const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
  return byExtension[extension] ?? "application/octet-stream";
}

/**
 * PUTs a file to a presigned URL. XMLHttpRequest rather than fetch: only it reports upload progress.
 * Resolves on 2xx; rejects with a readable message otherwise.
 */
export function uploadFile(
  url: string,
  file: Blob,
  headers: Record<string, string>,
  onProgress: (percent: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) =>
      onProgress(progressPercent(event.loaded, event.lengthComputable ? event.total : 0));
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        resolve();
      } else reject(new Error(`The upload was refused (HTTP ${xhr.status}). Please try again.`));
    };
    xhr.onerror = () => reject(new Error("The upload failed. Check your connection and try again."));
    xhr.onabort = () => reject(new Error("The upload was cancelled."));
    xhr.send(file);
  });
}
