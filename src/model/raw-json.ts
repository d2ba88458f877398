// A response body already serialised: hot paths (DiscoverInstances) build it from cached fragments, and
// the API sends it as it is instead of serialising an object again.
export class RawJson {
  readonly text: string | Uint8Array;
  constructor(text: string | Uint8Array) {
    this.text = text;
  }
}
