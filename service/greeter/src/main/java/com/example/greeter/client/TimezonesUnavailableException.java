package com.example.greeter.client;

/** timezones did not give a usable answer in time: down, hung, slow, or answering garbage. */
public class TimezonesUnavailableException extends RuntimeException {

  public TimezonesUnavailableException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
