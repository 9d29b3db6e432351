package dev.vessel.cli;

import dev.vessel.deploy.AdminClient;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar per uploaded jar, on a terminal only (scripts and logs get nothing). Counts the chunks this
 * upload sends, so a resumed upload shows only what is left.
 */
final class UploadBars implements AdminClient.UploadProgress, AutoCloseable {
    private final boolean enabled;
    private ProgressBar bar;
    private String current;

    UploadBars(boolean quiet) {
        this.enabled = !quiet && System.console() != null;
    }

    @Override
    public void sent(String fileName, int sent, int toSend, long bytesSent) {
        if (!enabled) {
            return;
        }
        if (!fileName.equals(current)) {
            close();
            current = fileName;
            bar = new ProgressBarBuilder().setTaskName("upload " + fileName).setInitialMax(toSend)
                    .setUnit(" chunks", 1).setStyle(ProgressBarStyle.ASCII).continuousUpdate().build();
        }
        bar.stepTo(sent);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
