/** Port: sends one e-mail (a plain-text and an HTML version of the same message). */
export interface EmailSender {
  /** Resolves once the provider has accepted the message; rejects otherwise. */
  send(message: {
    readonly to: readonly string[];
    readonly subject: string;
    readonly text: string;
    readonly html: string;
  }): Promise<void>;
}
