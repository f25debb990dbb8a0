package com.example.common;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.cli.CheckCommand;
import io.dropwizard.core.cli.Cli;
import java.util.Map;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * The standard {@code check} command (validates the configuration and exits), reporting a bad
 * configuration as one line on stderr. The image build runs it to record the AppCDS archive.
 */
public final class OneLineErrorCheckCommand<C extends Configuration> extends CheckCommand<C> {

  private final String service;
  private final Map<String, String> variables;

  /**
   * @param variables configuration paths to the environment variables that set them
   */
  public OneLineErrorCheckCommand(Application<C> application, Map<String, String> variables) {
    super(application);
    this.service = application.getName();
    this.variables = Map.copyOf(variables);
  }

  @Override
  public void onError(Cli cli, Namespace namespace, Throwable error) {
    cli.getStdErr().println(StartupErrors.describe(service, error, variables));
  }
}
